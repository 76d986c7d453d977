// Feeds arbitrary bytes to the data contract parser. It must return a Status for anything it
// cannot read, never crash, hang or leak an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/contract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kiln::Result<kiln::Contract> contract = kiln::ParseContractYaml(text, "fuzz.yaml");
  if (contract.ok()) {
    // Whatever parses must write back to YAML that parses again.
    std::string yaml = kiln::ContractToYaml(*contract, "fuzz");
    kiln::Result<kiln::Contract> again = kiln::ParseContractYaml(yaml, "again.yaml");
    if (!again.ok()) __builtin_trap();
  }
  return 0;
}
