// Test harness for running the real `tandem` executable: temporary folders, command execution
// with captured output, SIGKILL mid-run, and file fingerprints to prove a file was left untouched.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tandem::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
};

inline std::string tandem_binary() { return TANDEM_BINARY; }
inline std::string source_dir() { return TANDEM_SOURCE_DIR; }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tandem-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

// `text` as one single-quoted shell word (a ' inside becomes '\'').
inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs a shell command line as it is (its own redirections included) and captures stdout.
inline CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// Runs `tandem ARGS` through the shell; ARGS must be shell-quoted by the caller (shell_quote).
inline CommandResult run_tandem(const std::string& args, bool stderr_only = false) {
  return run_shell("'" + tandem_binary() + "' " + args +
                   (stderr_only ? " 2>&1 >/dev/null" : " 2>&1"));
}

// Runs `tandem ARGS` under the shell limits `limits` ("ulimit -f 64", "ulimit -v 200000"), set in
// a child shell so they bind tandem alone; stdout and stderr together.
inline CommandResult run_tandem_limited(const std::string& limits, const std::string& args) {
  const std::string inner = limits + "; exec '" + tandem_binary() + "' " + args + " 2>&1";
  return run_shell("bash -c " + shell_quote(inner) + " 2>&1");
}

// Starts `tandem args...` in the background, its output thrown away; returns its process id.
// Signals stay blocked from fork to exec, so one sent at once reaches tandem (its default action
// until tandem installs handlers), never a copy of the test process with the test framework's.
inline pid_t spawn_tandem(const std::vector<std::string>& args) {
  sigset_t all_signals, previous;
  sigfillset(&all_signals);
  sigprocmask(SIG_BLOCK, &all_signals, &previous);
  pid_t pid = fork();
  if (pid == 0) {
    for (int s : {SIGINT, SIGTERM, SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS}) signal(s, SIG_DFL);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    std::vector<std::string> all = {tandem_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  return pid;
}

// Starts `tandem args...` and sends it `signal` (SIGKILL unless told) after `delay`; waits for it.
inline void run_and_kill(const std::vector<std::string>& args, std::chrono::milliseconds delay,
                         int signal = SIGKILL) {
  pid_t pid = spawn_tandem(args);
  std::this_thread::sleep_for(delay);
  kill(pid, signal);
  int status = 0;
  waitpid(pid, &status, 0);
}

// The file's bytes ("<missing>" if absent) — equal before and after means untouched.
inline std::string fingerprint(const std::string& path) {
  if (!std::filesystem::exists(path)) return "<missing>";
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace tandem::testing
