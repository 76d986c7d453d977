# The one place that lists Kiln's third-party dependencies. All come from Debian packages installed
# by scripts/bootstrap; each is found through its CMake package or pkg-config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(FastFloat REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# Eigen for the feature pipeline's PCA and correlation matrices.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
# XGBoost ships no CMake package on Debian: its C API header and shared library are found directly.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(XGBOOST_LIB xgboost REQUIRED)
add_library(kiln_xgboost INTERFACE)
target_include_directories(kiln_xgboost SYSTEM INTERFACE ${XGBOOST_INCLUDE_DIR})
target_link_libraries(kiln_xgboost INTERFACE ${XGBOOST_LIB})

add_library(kiln_deps INTERFACE)
add_library(kiln::deps ALIAS kiln_deps)
target_link_libraries(kiln_deps INTERFACE
  Threads::Threads SQLite::SQLite3 PostgreSQL::PostgreSQL yaml-cpp nlohmann_json::nlohmann_json
  CLI11::CLI11 fmt::fmt spdlog::spdlog FastFloat::fast_float OpenSSL::Crypto
  PkgConfig::ZSTD PkgConfig::XXHASH Eigen3::Eigen kiln_xgboost)

# Chart.js draws the HTML report's charts. It comes from npm (pinned in third_party/web/package.json
# and its lock file, installed by scripts/bootstrap); its minified UMD bundle is compiled into
# kiln_lib (see cmake/EmbedFile.cmake) so that a report opens offline.
set(KILN_WEB_DIR ${PROJECT_SOURCE_DIR}/third_party/web)
set(KILN_CHARTJS_BUNDLE ${KILN_WEB_DIR}/node_modules/chart.js/dist/chart.umd.min.js)
if(NOT EXISTS ${KILN_CHARTJS_BUNDLE})
  message(FATAL_ERROR "Chart.js for the HTML reports is missing (${KILN_CHARTJS_BUNDLE}). "
                      "Run scripts/bootstrap, which installs it from npm into "
                      "third_party/web/node_modules.")
endif()
# Re-configure when either manifest changes, so that the version check and the embedded version
# never go stale.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KILN_WEB_DIR}/package.json
             ${KILN_WEB_DIR}/node_modules/chart.js/package.json)
file(READ ${KILN_WEB_DIR}/package.json _kiln_web_manifest)
file(READ ${KILN_WEB_DIR}/node_modules/chart.js/package.json _kiln_chartjs_manifest)
string(JSON _kiln_chartjs_pinned GET "${_kiln_web_manifest}" dependencies chart.js)
string(JSON KILN_CHARTJS_VERSION GET "${_kiln_chartjs_manifest}" version)
string(JSON KILN_CHARTJS_LICENSE GET "${_kiln_chartjs_manifest}" license)
if(NOT KILN_CHARTJS_VERSION STREQUAL _kiln_chartjs_pinned)
  message(FATAL_ERROR "third_party/web/node_modules holds Chart.js ${KILN_CHARTJS_VERSION} but "
                      "third_party/web/package.json pins ${_kiln_chartjs_pinned}. Remove "
                      "third_party/web/node_modules and run scripts/bootstrap.")
endif()
