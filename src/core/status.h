// Errors as values. Every fallible function at a module boundary returns a Status or a Result<T>.
// The small set of codes maps one-to-one onto the CLI's documented exit codes and onto HTTP
// statuses, so a failure deep in a loader surfaces with the same meaning everywhere.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace kiln {

enum class ErrorCode {
  kOk = 0,
  kUsage,        // bad command line or arguments
  kConfig,       // kiln.yaml or another configuration file is invalid
  kNotFound,     // a named dataset, version, run or model does not exist
  kData,         // input data is malformed or violates its contract
  kIo,           // the file system or a database failed
  kGateRefused,  // a quality, fairness or promotion gate said no
  kInternal,     // a bug in Kiln
};

// Exit codes documented in the README: 0 ok, 1 usage or configuration, 2 data, 3 gate, 4 internal.
int ExitCodeFor(ErrorCode code);
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context ("while adding dataset adult: ...") without losing the code.
  Status WithContext(const std::string& context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename... Args>
Status MakeError(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Status(code, fmt::format(format, std::forward<Args>(args)...));
}

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace kiln

#define KILN_CONCAT_INNER(a, b) a##b
#define KILN_CONCAT(a, b) KILN_CONCAT_INNER(a, b)

// __COUNTER__ keeps the temporaries distinct when these macros nest (a lambda passed to a call
// inside another macro's argument), which -Wshadow would otherwise reject.
#define KILN_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                       \
    ::kiln::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;               \
  } while (false)

#define KILN_RETURN_IF_ERROR(expr) \
  KILN_RETURN_IF_ERROR_IMPL(KILN_CONCAT(kiln_status_, __COUNTER__), expr)

#define KILN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define KILN_ASSIGN_OR_RETURN(lhs, expr) \
  KILN_ASSIGN_OR_RETURN_IMPL(KILN_CONCAT(kiln_result_, __COUNTER__), lhs, expr)
