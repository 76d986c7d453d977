// The command-line front end. Each subcommand parses its flags and calls a library function; the
// exit code comes from the Status that function returns (see core/status.h).
#pragma once

namespace kiln::cli {

int Main(int argc, char** argv);

}  // namespace kiln::cli
