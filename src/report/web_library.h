// A browser library compiled into Kiln so that HTML reports inline it and open offline. The
// definitions are generated at build time from the npm package (cmake/EmbedFile.cmake); the
// package, its version and licence are listed in docs/third-party.md.
#pragma once

#include <string_view>

namespace kiln {

struct WebLibrary {
  std::string_view name;     // "Chart.js"
  std::string_view version;  // as installed from npm, e.g. "4.6.1"
  std::string_view license;  // SPDX identifier, e.g. "MIT"
  std::string_view source;   // the minified UMD bundle, byte for byte as npm delivered it
};

// Chart.js, which defines the global `Chart` when its source runs in a page.
const WebLibrary& ChartJsLibrary();

}  // namespace kiln
