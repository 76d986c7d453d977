// Tests for curve thinning (report/curve_thinning.h): long curves come down to at most 500
// points, keep their endpoints, and the drawn polyline stays on the stored curve.
#include "report/curve_thinning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace kiln {
namespace {

struct Polyline {
  std::vector<double> x, y;
};

// A ROC-like staircase of `n` points: `n` / 2 steps up, each followed by a step right, so that
// the curve has a corner at every other point.
Polyline Staircase(std::size_t n) {
  Polyline p;
  const auto steps = static_cast<double>(n / 2);
  for (std::size_t i = 0; i < n; ++i) {
    p.x.push_back(static_cast<double>(i / 2) / steps);
    p.y.push_back(static_cast<double>((i + 1) / 2) / steps);
  }
  return p;
}

double DistanceToSegment(double px, double py, double ax, double ay, double bx, double by) {
  const double dx = bx - ax, dy = by - ay;
  const double length2 = dx * dx + dy * dy;
  const double t =
      length2 > 0 ? std::clamp(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0) : 0.0;
  return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// The largest distance from a stored point to the polyline through the kept points.
double MaxDeviation(const Polyline& p, const std::vector<std::size_t>& kept) {
  double worst = 0;
  for (std::size_t k = 0; k + 1 < kept.size(); ++k) {
    const std::size_t a = kept[k], b = kept[k + 1];
    for (std::size_t i = a; i <= b; ++i) {
      worst = std::max(worst, DistanceToSegment(p.x[i], p.y[i], p.x[a], p.y[a], p.x[b], p.y[b]));
    }
  }
  return worst;
}

TEST(ReportCurveThinning, ShortCurveIsKeptWhole) {
  const Polyline p = Staircase(300);
  const std::vector<std::size_t> kept = ThinCurve(p.x, p.y);
  ASSERT_EQ(kept.size(), 300u);
  EXPECT_EQ(kept.front(), 0u);
  EXPECT_EQ(kept.back(), 299u);
}

TEST(ReportCurveThinning, LongCurveKeepsEndpointsAndAtMost500Points) {
  for (std::size_t n : {501u, 1000u, 20000u, 200001u}) {
    const Polyline p = Staircase(n);
    const std::vector<std::size_t> kept = ThinCurve(p.x, p.y);

    EXPECT_LE(kept.size(), kMaxCurvePoints) << n << " points";
    EXPECT_GE(kept.size(), kMaxCurvePoints - 10) << n << " points: the budget goes unused";
    EXPECT_EQ(kept.front(), 0u);
    EXPECT_EQ(kept.back(), n - 1);
    EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  }
}

TEST(ReportCurveThinning, ThinnedStaircaseStaysWithinHalfAPercentOfTheCurve) {
  const Polyline p = Staircase(50000);
  EXPECT_LT(MaxDeviation(p, ThinCurve(p.x, p.y)), 0.005);
}

TEST(ReportCurveThinning, KeepsTheShapeOfASharpBend) {
  // Straight up the left edge, then along the top: the ideal ROC curve, densely sampled.
  Polyline p;
  for (int i = 0; i <= 5000; ++i) {
    p.x.push_back(0);
    p.y.push_back(i / 5000.0);
  }
  for (int i = 1; i <= 5000; ++i) {
    p.x.push_back(i / 5000.0);
    p.y.push_back(1);
  }
  EXPECT_LT(MaxDeviation(p, ThinCurve(p.x, p.y)), 0.005);
}

TEST(ReportCurveThinning, CurveOfOneRepeatedPointKeepsItsEndpoints) {
  const std::vector<double> x(1000, 0.5), y(1000, 0.5);
  EXPECT_EQ(ThinCurve(x, y), (std::vector<std::size_t>{0, 999}));
}

TEST(ReportCurveThinning, EvenSampleIncludesFirstAndLast) {
  const std::vector<std::size_t> kept = EvenSample(10000, 2000);
  ASSERT_EQ(kept.size(), 2000u);
  EXPECT_EQ(kept.front(), 0u);
  EXPECT_EQ(kept.back(), 9999u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  EXPECT_EQ(EvenSample(10, 2000).size(), 10u);
}

}  // namespace
}  // namespace kiln
