// Thinning curves for drawing. Evaluation documents store ROC and precision-recall curves at full
// resolution (a point per distinct score, so up to one per row); a report draws at most a few
// hundred, chosen so that the drawn polyline stays on the stored one.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace kiln {

inline constexpr std::size_t kMaxCurvePoints = 500;

// The indices of the points of the polyline (x[i], y[i]) to keep, ascending: both endpoints and
// points spaced by arc length, measured after scaling each axis to its range so that a curve is
// sampled evenly as plotted. A dropped point is less than one spacing, length / (max_points - 2),
// along the curve from a kept one, so it lies within that distance of the drawn line: under 0.005
// of the axis for a ROC or precision-recall curve at 500 points (their length is at most 2).
//
// Returns every index when there are at most `max_points`. Requires x.size() == y.size(), finite
// values and max_points >= 2; the result never holds more than max_points indices.
std::vector<std::size_t> ThinCurve(std::span<const double> x, std::span<const double> y,
                                   std::size_t max_points = kMaxCurvePoints);

// At most `max_points` indices of [0, n) taken evenly, first and last included; for data that is
// not a curve (scatter points) where any even sample is as good as another.
std::vector<std::size_t> EvenSample(std::size_t n, std::size_t max_points);

}  // namespace kiln
