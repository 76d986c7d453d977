// The kiln binary: parses the command line and hands off to the subcommands in src/cli/.
#include "cli/app.h"

int main(int argc, char** argv) { return kiln::cli::Main(argc, argv); }
