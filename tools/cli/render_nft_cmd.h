// meshfwd render-nft --role relay|edge [--config FILE]: prints the nftables
// input policy for the role, from the config (userspace/nft_render.h).
#pragma once

#include <CLI/CLI.hpp>

namespace meshfwd::cli {

void registerRenderNftCommand(CLI::App& app);

}  // namespace meshfwd::cli
