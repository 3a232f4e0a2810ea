// Command dispatch for the tandem CLI: finds the sub-command, turns every tandem::Error into one
// line on stderr and a non-zero exit code.
#include "experiments/cli/cli.hpp"

#include <cxxopts.hpp>

#include <cstring>
#include <iostream>
#include <new>
#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "experiments/builtins/register_builtins.hpp"
#include "experiments/cli/cli_commands.hpp"

namespace tandem {
namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* usage;
};

// `tandem bench train ...`, `tandem bench search CONFIG ...`, `tandem bench front CONFIG ...`.
int cli_bench_command(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "search") {
    std::string program = "tandem bench search";
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = program.data();
    return cli_bench_search(static_cast<int>(args.size()), args.data());
  }
  if (sub == "front") {
    std::string program = "tandem bench front";
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = program.data();
    return cli_bench_front(static_cast<int>(args.size()), args.data());
  }
  if (sub == "proxies") {
    std::string program = "tandem bench proxies";
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = program.data();
    return cli_bench_proxies(static_cast<int>(args.size()), args.data());
  }
  if (sub == "train" || sub == "--help" || sub == "-h") return cli_bench(argc, argv);
  throw Error(
              (sub.empty() ? std::string("missing subcommand") : "unknown subcommand '" + sub + "'") +
              "; accepted: train, search, front, proxies");
}

const Command kCommands[] = {
    {"run", cli_run,
     "run CONFIG [--db PATH] [--resume] [--trials N] [--seed S] [--quiet] [--workers N] [--mpi]"},
    {"trials", cli_trials,
     "trials DB [--experiment NAME] [--sort METRIC[:min|max]] [--top K] [--format table|csv|json]\n"
     "         [--pareto METRIC:min|max,...] [--summary [--reference V,...]]"},
    {"query", cli_query, "query DB \"SQL\" [--format table|csv|json]   (read-only)"},
    {"spaces", cli_spaces, "spaces [NAME]   (list spaces, or describe one)"},
    {"show", cli_show, "show DB TRIAL [--experiment NAME]   (candidate and per-layer graph)"},
    {"report", cli_report,
     "report DB [--experiment NAME ...] -o report.html   (self-contained HTML report)"},
    {"dashboard", cli_dashboard,
     "dashboard DB [--port P] [--host 127.0.0.1]   (live dashboard in the browser, read-only)"},
    {"ask", cli_ask,
     "ask DB (--experiment NAME | --config FILE) [-n K]   (next candidates as JSON, RUNNING)"},
    {"tell", cli_tell,
     "tell DB [--experiment NAME] --trial N [--values a=1,b=2] [--state S]\n"
     "         [--intermediate STEP:name=value,...]   (finish a trial asked for)"},
    {"export", cli_export,
     "export DB TRIAL [--experiment NAME] --format pytorch|onnx [-o PATH]   (the network out)"},
    {"hw", cli_hw, "hw eval|models ...   (accelerator cost models)"},
    {"train", cli_train,
     "train (--space NAME --arch STRING | --workload lenet) --dataset NAME|PATH [--epochs E] "
     "[--batch B] [--lr L] [--seed S] [--threads T]"},
    {"proxy", cli_proxy,
     "proxy --space NAME --arch STRING --proxies synflow,params,... [--dataset D] [--batch B] "
     "[--seed S]"},
    {"predict", cli_predict,
     "predict eval (--db DB | --table CSV --space NAME) --target COLUMN --predictor NAME\n"
     "         --train N --test M [--seed S] [--encoding E] [--features A,B] [--repeats R]"},
    {"bench", cli_bench_command,
     "bench train|search|front|proxies ...   (trainer step times; strategies against random\n"
     "         search and the exact Pareto front; zero-cost proxies against NAS-Bench-Suite-Zero)"},
};

void print_usage(std::ostream& out) {
  out << "tandem — joint search of neural architectures and accelerators\n\nusage:\n";
  for (const auto& command : kCommands) out << "  tandem " << command.usage << "\n";
  out << "\n`tandem COMMAND --help` describes a command; docs/ has the full reference.\n";
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    print_usage(std::cout);
    return argc < 2 ? 2 : 0;
  }
  register_builtins();
  const std::string name = argv[1];
  for (const auto& command : kCommands) {
    if (name != command.name) continue;
    std::string program = "tandem " + name;
    std::vector<char*> args(argv + 1, argv + argc);
    args[0] = program.data();
    try {
      return command.run(static_cast<int>(args.size()), args.data());
    } catch (const cxxopts::exceptions::exception& error) {
      std::cerr << "tandem " << name << ": error: " << error.what() << " (see tandem " << name
                << " --help)\n";
      return 2;
    } catch (const Error& error) {
      std::cerr << "tandem " << name << ": error: " << error.what() << "\n";
      return 1;
    } catch (const std::bad_alloc&) {
      // Not a bug: the machine (or `ulimit -v`) has less memory than the work needs.
      const std::string& doing = Doing::now();
      std::cerr << "tandem " << name << ": error: out of memory"
                << (doing.empty() ? std::string() : " while " + doing)
                << " (free memory, raise the limit of `ulimit -v`, or give it less data)\n";
      return 1;
    } catch (const std::exception& error) {
      // InternalError (not an Error) and anything else unexpected: a bug, never a user error.
      std::cerr << "tandem " << name << ": internal error (a bug, please report): " << error.what()
                << "\n";
      return 3;
    }
  }
  std::vector<std::string> names;
  for (const auto& command : kCommands) names.push_back(command.name);
  std::cerr << "tandem: error: unknown command '" << name << "'" << did_you_mean(name, names)
            << "; commands: " << join(names, ", ") << "\n";
  return 2;
}

}  // namespace tandem
