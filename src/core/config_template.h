// The kiln.yaml that `kiln init` writes: every section present and explained in comments, the
// optional ones commented out, filled from an InitProposal. Every string from the data is quoted
// (values) or sanitised (comments) and the project name is made valid, so the output parses with
// ParseProblemSpec for any proposal whose target and positive class are non-empty.
#pragma once

#include <string>

#include "core/propose.h"

namespace kiln {

std::string RenderKilnYamlTemplate(const InitProposal& proposal);

// `text` as a double-quoted YAML scalar that reads back as exactly `text` (valid UTF-8 assumed).
std::string QuoteYaml(std::string_view text);

}  // namespace kiln
