#include "tools/cli/cli.h"

#include <cstdio>

#include "maps/meshfwd_abi.h"
#include "tools/cli/cleanup_cmd.h"
#include "tools/cli/commands.h"
#include "tools/cli/doctor_cmd.h"
#include "tools/cli/lab_cmd.h"
#if __has_include("tools/cli/check_config_cmd.h")
#include "tools/cli/check_config_cmd.h"
#define MESHFWD_HAVE_CHECK_CONFIG 1
#endif
#if __has_include("tools/cli/render_nft_cmd.h")
#include "tools/cli/render_nft_cmd.h"
#define MESHFWD_HAVE_RENDER_NFT 1
#endif

#ifndef MESHFWD_VERSION
#define MESHFWD_VERSION "0.1.0"
#endif

namespace meshfwd::cli {

void printErrors(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::fprintf(stderr, "meshfwd: error: %s\n", l.c_str());
}

void printWarnings(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::fprintf(stderr, "meshfwd: warning: %s\n", l.c_str());
}

CLI::Validator positiveNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          size_t used = 0;
          double v = std::stod(text, &used);
          if (used == text.size() && v > 0) return "";
        } catch (const std::exception&) {
        }
        return text + " is not a number greater than 0";
      },
      "NUMBER>0");
}

int run(int argc, char** argv) {
  CLI::App app("meshfwd: the mesh relay/edge forwarding datapath (XDP + TC)", "meshfwd");
  bool version = false;
  app.add_flag("--version", version, "print the version and exit");
  app.require_subcommand(0, 1);
  app.footer(
      "Exit status: 0 success; 1 the operation failed (nothing left half done);\n"
      "2 invalid arguments or configuration; 3 nothing attached in this network namespace.\n"
      "Errors go to stderr as 'meshfwd: error: ...', one line each.\n"
      "Run inside a namespace with `nsenter --net=/var/run/netns/NAME` (not `ip netns exec`,\n"
      "which hides the bpffs pins).\n");
  registerAttachCommand(app);
  registerDetachCommand(app);
  registerStatusCommand(app);
  registerStatsCommand(app);
  registerLogCommand(app);
  registerRunCommand(app);
  registerDoctorCommand(app);
  registerCleanupCommand(app);
  registerLabCommand(app);
#ifdef MESHFWD_HAVE_CHECK_CONFIG
  registerCheckConfigCommand(app);
#endif
#ifdef MESHFWD_HAVE_RENDER_NFT
  registerRenderNftCommand(app);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a verb failed; it has said why
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (version) {
    std::printf("meshfwd %s (BPF ABI %d)\n", MESHFWD_VERSION, MF_ABI_VERSION);
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stderr);
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace meshfwd::cli
