#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace kiln {

void InitLogging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("kiln");
  logger->set_pattern("%^[%l]%$ %v");
  switch (verbosity) {
    case -1:
      logger->set_level(spdlog::level::err);
      break;
    case 0:
      logger->set_level(spdlog::level::info);
      break;
    case 1:
      logger->set_level(spdlog::level::debug);
      break;
    default:
      logger->set_level(spdlog::level::trace);
      break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace kiln
