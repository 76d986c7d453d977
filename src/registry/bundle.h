// A model bundle: everything needed to score new rows exactly as training did, in one
// content-addressed artifact. It holds the fitted feature pipeline and the model of the chosen
// candidate, the same pair for the baseline (so every later evaluation compares against a
// baseline trained on the same data), the class labels, the decision threshold and where the
// bundle came from.
//
// Layout: the line "KILNBNDL 1 <XXH3-64 of the manifest line, 16 lowercase hex digits>", a JSON
// manifest line (fields and a list of sections with their sizes and XXH3-64 checksums), then the
// sections' bytes back to back. Decoding checks every size and checksum, the manifest's included,
// before any section is parsed.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/status.h"
#include "data/frame.h"
#include "evaluate/predictions.h"
#include "features/pipeline.h"
#include "train/model.h"

namespace kiln {

// One fitted pipeline and the model trained on its output.
struct ScoringPair {
  ModelSpec spec;
  FeaturePipeline pipeline;
  std::shared_ptr<const Model> model;

  // Scores the listed rows of `frame` (all when `rows` is empty), per predictions.h.
  Result<std::vector<double>> Score(const Frame& frame, std::span<const size_t> rows = {}) const;
};

struct Bundle {
  std::string project;
  TaskSpec task;
  std::vector<std::string> classes;  // classification: label of each class index
  double threshold = 0.5;            // binary decision threshold
  std::string run_id;
  std::string dataset;  // name@version it was trained on
  std::string created_at;
  ScoringPair candidate;
  ScoringPair baseline;
  nlohmann::json extra = nlohmann::json::object();  // figures worth keeping (CV summary)
};

std::string EncodeBundle(const Bundle& bundle);
// kData saying what is wrong (magic, version, truncation, checksum, a section that does not parse)
// for bytes that are not a bundle this Kiln can read. Never crashes on any input.
Result<Bundle> DecodeBundle(std::string_view bytes);

// The Predictions of the listed rows of a frame for a task with these classification labels and
// decision threshold, given their scores (rows() * classes for multiclass, per predictions.h) and
// the truth taken from `target`.
Predictions MakePredictions(TaskType task, const std::vector<std::string>& classes,
                            double threshold, std::span<const size_t> rows, const Target& target,
                            std::vector<double> scores);

// The Predictions of `pair` on the listed rows of `frame` (rows whose target is missing are the
// caller's to leave out), with the truth taken from `target`.
Result<Predictions> PredictRows(const Bundle& bundle, const ScoringPair& pair, const Frame& frame,
                                std::span<const size_t> rows, const Target& target);

}  // namespace kiln
