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
