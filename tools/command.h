// How a `docpipe` subcommand plugs into the executable: each tools/*_command.cc
// defines a registrar and registers it with a file-scope DOCPIPE_REGISTER_COMMAND.
// The registrar adds its CLI11 subcommand and a callback that runs it and
// stores the process exit code with SetExitCode().
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>

#include "docpipe/status.h"

namespace docpipe::cli {

using CommandRegistrar = void (*)(CLI::App& app);

// Returns true so it can initialise a file-scope constant.
bool RegisterCommand(CommandRegistrar registrar);

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputFailed = 1;  // the run finished but some inputs failed
inline constexpr int kExitUsage = 2;        // bad flags or arguments
inline constexpr int kExitError = 3;        // the command could not run (store, model, server)
inline constexpr int kExitCancelled = 130;  // stopped by Ctrl-C (128 + SIGINT, as shells report it)
inline constexpr int kExitTerminated = 143;  // stopped by SIGTERM (128 + SIGTERM)

void SetExitCode(int code);

// Prints "docpipe <command>: <status>" on stderr and sets the exit code:
// kExitUsage for an invalid argument (and, when asked, for something the user
// named that does not exist), kExitError otherwise.
void FailCommand(std::string_view command, const Status& status, bool not_found_is_usage = false);

}  // namespace docpipe::cli

#define DOCPIPE_REGISTER_COMMAND(registrar) \
  static const bool docpipe_registered_##registrar = ::docpipe::cli::RegisterCommand(registrar)
