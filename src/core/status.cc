#include "core/status.h"

namespace kiln {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 0;
    case ErrorCode::kUsage:
    case ErrorCode::kConfig:
    case ErrorCode::kNotFound:
      return 1;
    case ErrorCode::kData:
    case ErrorCode::kIo:
      return 2;
    case ErrorCode::kGateRefused:
      return 3;
    case ErrorCode::kInternal:
      return 4;
  }
  return 4;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kData:
      return "data";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kGateRefused:
      return "gate_refused";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace kiln
