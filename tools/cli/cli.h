// The meshfwd command line: parses argv and dispatches to the verbs.
#pragma once

namespace meshfwd::cli {
int run(int argc, char** argv);
}
