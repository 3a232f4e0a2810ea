// One entry point per CLI sub-command; each is defined in its own experiments/cli_<name>.cpp and
// receives the arguments after the command name (argv[0] is "tandem <name>").
#pragma once

namespace tandem {

int cli_run(int argc, char** argv);
int cli_trials(int argc, char** argv);
int cli_query(int argc, char** argv);
int cli_spaces(int argc, char** argv);
int cli_show(int argc, char** argv);
int cli_hw(int argc, char** argv);
int cli_train(int argc, char** argv);
int cli_bench(int argc, char** argv);         // tandem bench train ...
int cli_bench_search(int argc, char** argv);  // tandem bench search ...
int cli_bench_front(int argc, char** argv);   // tandem bench front ...
int cli_proxy(int argc, char** argv);
int cli_predict(int argc, char** argv);  // tandem predict eval ...
int cli_bench_proxies(int argc, char** argv);  // tandem bench proxies ...
int cli_report(int argc, char** argv);
int cli_dashboard(int argc, char** argv);
int cli_ask(int argc, char** argv);   // tandem ask (cli_ask_tell.cpp)
int cli_tell(int argc, char** argv);  // tandem tell (cli_ask_tell.cpp)
int cli_export(int argc, char** argv);

}  // namespace tandem
