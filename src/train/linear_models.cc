// The linear families: "logistic" (L2-regularised logistic regression, two-class or multinomial)
// and "ridge" (L2-regularised least squares). Both minimise exactly scikit-learn's objectives,
// LogisticRegression(C = 1 / l2) and Ridge(alpha = l2) with a fitted, unpenalised intercept and
// sample weights multiplying each row's loss, so their coefficients can be checked against it.
//
// Logistic regression is solved by Newton's method with steps from Jacobi-preconditioned
// conjugate gradients on exact Hessian-vector products: no Hessian is formed, so thousands of
// one-hot columns cost memory linear in the parameter count, while convergence near the optimum
// stays quadratic, which is what lets the solver reach a gradient 1e-10 of its starting size.
// Ridge solves its centred normal equations directly. Both work in double precision and predict
// one row at a time in a fixed order, so a score does not depend on the batch it came in.
#include "train/linear_models.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <Eigen/Dense>

#include "train/model_bytes.h"

namespace kiln {
namespace {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

constexpr uint32_t kFormatVersion = 1;
constexpr int64_t kMaxColumns = int64_t{1} << 31;
constexpr int64_t kMaxClasses = int64_t{1} << 16;
// The solver stops once the gradient norm is this fraction of its norm at the zero start.
constexpr double kGradientTolerance = 1e-10;
constexpr int kMaxLineSearchHalvings = 40;

// Linear models see imputed features only. A NaN here means the pipeline was skipped or is
// broken, and arithmetic on it would yield scores that look valid and are not.
Status CheckFinite(const FeatureMatrix& x, std::string_view what) {
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t c = 0; c < x.cols; ++c) {
      const float v = x.values[r * x.cols + c];
      if (std::isfinite(v)) continue;
      const std::string name = c < x.names.size() ? fmt::format(" ('{}')", x.names[c]) : "";
      return MakeError(ErrorCode::kData,
                       "{} row {}, feature column {}{} is {}; linear models "
                       "need every value filled: impute that column in the feature pipeline",
                       what, r, c, name, v);
    }
  }
  return Status::Ok();
}

Status CheckShape(const FeatureMatrix& x, size_t cols) {
  if (x.cols != cols || x.values.size() != x.rows * x.cols) {
    return MakeError(ErrorCode::kUsage,
                     "the model was trained on {} feature columns; the matrix "
                     "to predict has {} columns ({} values for {} rows): transform the rows with "
                     "the model's own feature pipeline",
                     cols, x.cols, x.values.size(), x.rows);
  }
  return Status::Ok();
}

Status CheckSpec(const ModelSpec& spec, bool iterative) {
  if (!std::isfinite(spec.l2) || spec.l2 < 0) {
    return MakeError(ErrorCode::kConfig,
                     "models: {} has l2 = {}; it must be a finite number "
                     ">= 0 (1 is the default)",
                     spec.family, spec.l2);
  }
  if (iterative && spec.max_iterations < 1) {
    return MakeError(ErrorCode::kConfig,
                     "models: {} has max_iterations = {}; it must be at "
                     "least 1 (200 is the default)",
                     spec.family, spec.max_iterations);
  }
  return Status::Ok();
}

Matrix ToMatrix(const FeatureMatrix& x) {
  Matrix m(static_cast<Eigen::Index>(x.rows), static_cast<Eigen::Index>(x.cols));
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t c = 0; c < x.cols; ++c) {
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = x.values[r * x.cols + c];
    }
  }
  return m;
}

Vector RowWeights(const TrainData& data) {
  const auto n = static_cast<Eigen::Index>(data.x->rows);
  if (data.weights.empty()) return Vector::Ones(n);
  return Eigen::Map<const Vector>(data.weights.data(), n);
}

double Sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1 + e);
}

// log(1 + exp(z)) without overflow.
double Softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

// ----- The logistic objective -------------------------------------------------------------------

// sum_i s_i loss_i + lambda / 2 * |W|^2 with the weights s normalised to sum to 1 and lambda =
// l2 / (raw weight sum): scikit-learn's objective divided by C times the weight sum, which has
// the same minimiser and keeps the gradient tolerance independent of the row count. Parameters
// are packed as the d x k coefficient matrix (column-major, one column per output) followed by
// the k intercepts; features are centred so that the intercepts decouple from the coefficients.
struct LogisticProblem {
  Matrix x;          // n x d, centred
  Matrix x_squared;  // x.^2, for the Hessian diagonal
  Matrix y;          // n x k: one-hot, or for two classes the 0/1 indicator of the second
  Vector s;
  double lambda = 0;
  bool multinomial = false;

  Eigen::Index dims() const { return (x.cols() + 1) * y.cols(); }
};

struct Evaluation {
  double loss = 0;
  Vector gradient;
  Matrix p;  // n x k fitted probabilities
};

Evaluation Evaluate(const LogisticProblem& problem, const Vector& theta) {
  const Eigen::Index n = problem.x.rows(), d = problem.x.cols(), k = problem.y.cols();
  const Eigen::Map<const Matrix> w(theta.data(), d, k);
  Matrix z = problem.x * w;
  z.rowwise() += theta.tail(k).transpose();

  Evaluation e;
  e.p.resize(n, k);
  double loss = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    double row_loss = 0;
    if (!problem.multinomial) {
      row_loss = Softplus(z(i, 0)) - problem.y(i, 0) * z(i, 0);
      e.p(i, 0) = Sigmoid(z(i, 0));
    } else {
      const double top = z.row(i).maxCoeff();
      const double log_sum = top + std::log((z.row(i).array() - top).exp().sum());
      row_loss = log_sum - z.row(i).dot(problem.y.row(i));
      e.p.row(i) = (z.row(i).array() - log_sum).exp();
    }
    loss += problem.s(i) * row_loss;
  }
  e.loss = loss + 0.5 * problem.lambda * w.squaredNorm();

  Matrix g = e.p - problem.y;
  g.array().colwise() *= problem.s.array();
  e.gradient.resize(problem.dims());
  Eigen::Map<Matrix>(e.gradient.data(), d, k) = problem.x.transpose() * g + problem.lambda * w;
  e.gradient.tail(k) = g.colwise().sum().transpose();
  return e;
}

// The Hessian at `e` times `v`, in the same packing as the parameters.
Vector HessianTimes(const LogisticProblem& problem, const Evaluation& e, const Vector& v) {
  const Eigen::Index d = problem.x.cols(), k = problem.y.cols();
  const Eigen::Map<const Matrix> v_coef(v.data(), d, k);
  Matrix u = problem.x * v_coef;
  u.rowwise() += v.tail(k).transpose();

  Matrix r(u.rows(), k);
  if (!problem.multinomial) {
    r = (e.p.array() * (1 - e.p.array()) * u.array()).matrix();
  } else {
    const Vector mean_u = (e.p.array() * u.array()).rowwise().sum();
    r = (e.p.array() * (u.colwise() - mean_u).array()).matrix();
  }
  r.array().colwise() *= problem.s.array();

  Vector out(v.size());
  Eigen::Map<Matrix>(out.data(), d, k) = problem.x.transpose() * r + problem.lambda * v_coef;
  out.tail(k) = r.colwise().sum().transpose();
  return out;
}

// The Hessian's diagonal, floored so that its inverse is a usable preconditioner even where the
// probabilities saturate.
Vector HessianDiagonal(const LogisticProblem& problem, const Evaluation& e) {
  const Eigen::Index d = problem.x.cols(), k = problem.y.cols();
  Matrix curvature = (e.p.array() * (1 - e.p.array())).matrix();
  curvature.array().colwise() *= problem.s.array();
  Vector diagonal(problem.dims());
  Eigen::Map<Matrix>(diagonal.data(), d, k) =
      (problem.x_squared.transpose() * curvature).array() + problem.lambda;
  diagonal.tail(k) = curvature.colwise().sum().transpose();
  const double floor = std::max(diagonal.maxCoeff() * 1e-12, std::numeric_limits<double>::min());
  return diagonal.cwiseMax(floor);
}

// Approximately solves H step = -gradient by preconditioned conjugate gradients, stopping once
// the residual is below `tolerance`. The Hessian is positive definite except along the direction
// that shifts every multinomial intercept alike, which the gradient is orthogonal to.
Vector NewtonStep(const LogisticProblem& problem, const Evaluation& e, double tolerance) {
  const Vector inverse_diagonal = HessianDiagonal(problem, e).cwiseInverse();
  const Eigen::Index max_steps = std::min<Eigen::Index>(2 * problem.dims() + 10, 1000);
  Vector step = Vector::Zero(problem.dims());
  Vector residual = -e.gradient;
  Vector z = inverse_diagonal.cwiseProduct(residual);
  Vector direction = z;
  double rz = residual.dot(z);
  for (Eigen::Index i = 0; i < max_steps && residual.norm() > tolerance; ++i) {
    const Vector h_direction = HessianTimes(problem, e, direction);
    const double curvature = direction.dot(h_direction);
    if (!(curvature > 0)) break;
    const double alpha = rz / curvature;
    step += alpha * direction;
    residual -= alpha * h_direction;
    z = inverse_diagonal.cwiseProduct(residual);
    const double rz_next = residual.dot(z);
    direction = z + (rz_next / rz) * direction;
    rz = rz_next;
  }
  if (!(step.dot(e.gradient) < 0)) step = -inverse_diagonal.cwiseProduct(e.gradient);
  return step;
}

struct SolverReport {
  int64_t iterations = 0;
  bool converged = false;
  double relative_gradient = 0;
};

// Backtracking from the full Newton step. Near the optimum the decrease in the loss drops below
// its rounding error, so a step that keeps the loss within rounding and shrinks the gradient is
// accepted too; without that the solver would stall short of the tolerance.
bool LineSearch(const LogisticProblem& problem, Vector& theta, Evaluation& e, const Vector& step) {
  const double slope = e.gradient.dot(step);
  const double rounding = 16 * std::numeric_limits<double>::epsilon() * std::max(1.0, e.loss);
  double t = 1;
  for (int i = 0; i < kMaxLineSearchHalvings; ++i, t /= 2) {
    const Vector trial = theta + t * step;
    Evaluation next = Evaluate(problem, trial);
    const bool sufficient = next.loss <= e.loss + 1e-4 * t * slope;
    const bool flat = next.loss <= e.loss + rounding && next.gradient.norm() < e.gradient.norm();
    if (std::isfinite(next.loss) && (sufficient || flat)) {
      theta = trial;
      e = std::move(next);
      return true;
    }
  }
  return false;
}

SolverReport Minimise(const LogisticProblem& problem, int max_iterations, Vector& theta) {
  theta = Vector::Zero(problem.dims());
  Evaluation e = Evaluate(problem, theta);
  const double initial = std::max(e.gradient.norm(), std::numeric_limits<double>::min());
  SolverReport report;
  while (true) {
    const double gradient = e.gradient.norm();
    report.relative_gradient = gradient / initial;
    if (report.relative_gradient <= kGradientTolerance) {
      report.converged = true;
      break;
    }
    if (report.iterations >= max_iterations) break;
    // Forcing term min(0.5, sqrt(relative gradient)): loose solves far away, superlinear
    // convergence close in.
    const double forcing = std::min(0.5, std::sqrt(report.relative_gradient));
    const Vector step = NewtonStep(problem, e, forcing * gradient);
    ++report.iterations;
    if (!LineSearch(problem, theta, e, step)) break;
  }
  return report;
}

// ----- The model both families share -------------------------------------------------------------

class LinearModel final : public Model {
 public:
  LinearModel(std::string family, TaskType task, size_t classes, LinearCoefficients c,
              SolverReport report)
      : family_(std::move(family)),
        task_(task),
        classes_(classes),
        c_(std::move(c)),
        report_(report) {}

  std::string family() const override { return family_; }
  const LinearCoefficients& coefficients() const { return c_; }

  Result<std::vector<double>> Predict(const FeatureMatrix& x) const override {
    KILN_RETURN_IF_ERROR(CheckShape(x, c_.cols));
    KILN_RETURN_IF_ERROR(CheckFinite(x, "prediction"));
    const size_t width = task_ == TaskType::kMulticlass ? classes_ : 1;
    std::vector<double> out(x.rows * width, 0.0);
    std::vector<double> z(c_.outputs);
    for (size_t r = 0; r < x.rows; ++r) {
      const float* row = x.values.data() + r * x.cols;
      for (size_t o = 0; o < c_.outputs; ++o) {
        const double* coef = c_.coef.data() + o * c_.cols;
        double sum = c_.intercept[o];
        for (size_t j = 0; j < c_.cols; ++j) sum += coef[j] * static_cast<double>(row[j]);
        z[o] = sum;
      }
      WriteScores(z, out.data() + r * width);
    }
    return out;
  }

  Result<std::string> Save() const override {
    train::ModelWriter writer(family_, kFormatVersion);
    writer.Int("task", static_cast<int64_t>(task_));
    writer.Int("classes", static_cast<int64_t>(classes_));
    writer.Int("cols", static_cast<int64_t>(c_.cols));
    writer.Doubles("labels", std::vector<double>(c_.classes.begin(), c_.classes.end()));
    writer.Doubles("coef", c_.coef);
    writer.Doubles("intercept", c_.intercept);
    writer.Int("iterations", report_.iterations);
    writer.Int("converged", report_.converged ? 1 : 0);
    writer.Doubles("relative_gradient", {report_.relative_gradient});
    return writer.Finish();
  }

  std::string Summary() const override {
    if (family_ != "logistic") return "{}";
    return fmt::format(R"({{"solver": "newton_cg", "iterations": {}, "converged": {}, )"
                       R"("relative_gradient": {:.3g}}})",
                       report_.iterations, report_.converged ? "true" : "false",
                       report_.relative_gradient);
  }

  std::vector<double> Importance() const override {
    std::vector<double> importance(c_.cols, 0.0);
    for (size_t o = 0; o < c_.outputs; ++o) {
      for (size_t j = 0; j < c_.cols; ++j) importance[j] += std::abs(c_.coef[o * c_.cols + j]);
    }
    return importance;
  }

 private:
  // Turns one row's linear scores into the row's output per evaluate/predictions.h.
  void WriteScores(const std::vector<double>& z, double* out) const {
    if (family_ != "logistic") {
      out[0] = z[0];
    } else if (c_.outputs == 1) {
      const double p = Sigmoid(z[0]);
      if (task_ == TaskType::kBinary) {
        out[0] = p;
      } else {
        out[c_.classes[0]] = 1 - p;
        out[c_.classes[1]] = p;
      }
    } else {
      const double top = *std::max_element(z.begin(), z.end());
      double sum = 0;
      for (double v : z) sum += std::exp(v - top);
      for (size_t o = 0; o < c_.outputs; ++o) out[c_.classes[o]] = std::exp(z[o] - top) / sum;
    }
  }

  std::string family_;
  TaskType task_;
  size_t classes_;
  LinearCoefficients c_;
  SolverReport report_;
};

// ----- Training ---------------------------------------------------------------------------------

// Classes with positive weight, ascending. An absent class would drive its unpenalised intercept
// to minus infinity, so it is left out of the fit and predicted with probability 0.
std::vector<size_t> PresentClasses(const TrainData& data, const Vector& s) {
  std::vector<double> mass(data.classes, 0.0);
  for (size_t i = 0; i < data.y.size(); ++i) {
    mass[static_cast<size_t>(data.y[i])] += s(static_cast<Eigen::Index>(i));
  }
  std::vector<size_t> present;
  for (size_t c = 0; c < mass.size(); ++c) {
    if (mass[c] > 0) present.push_back(c);
  }
  return present;
}

Result<std::unique_ptr<Model>> TrainLogistic(const ModelSpec& spec, const TrainData& data) {
  KILN_RETURN_IF_ERROR(CheckSpec(spec, /*iterative=*/true));
  KILN_RETURN_IF_ERROR(ValidateTrainData(data));
  KILN_RETURN_IF_ERROR(CheckFinite(*data.x, "training"));
  const Vector raw_weights = RowWeights(data);
  const double weight_sum = raw_weights.sum();
  const std::vector<size_t> present = PresentClasses(data, raw_weights);
  if (present.size() < 2) {
    return MakeError(ErrorCode::kData,
                     "only one class carries weight in the training rows; "
                     "logistic regression needs two (check the weights and the split)");
  }

  LogisticProblem problem;
  problem.multinomial = present.size() > 2;
  problem.s = raw_weights / weight_sum;
  problem.lambda = spec.l2 / weight_sum;
  const Matrix x = ToMatrix(*data.x);
  const Eigen::RowVectorXd centre = problem.s.transpose() * x;
  problem.x = x.rowwise() - centre;
  problem.x_squared = problem.x.array().square().matrix();
  const auto n = static_cast<Eigen::Index>(data.x->rows);
  const auto k = static_cast<Eigen::Index>(problem.multinomial ? present.size() : 1);
  problem.y = Matrix::Zero(n, k);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto label = static_cast<size_t>(data.y[static_cast<size_t>(i)]);
    const auto slot = std::lower_bound(present.begin(), present.end(), label) - present.begin();
    if (problem.multinomial) {
      problem.y(i, slot) = 1;
    } else {
      problem.y(i, 0) = slot == 1 ? 1 : 0;
    }
  }

  Vector theta;
  const SolverReport report = Minimise(problem, spec.max_iterations, theta);
  if (!report.converged) {
    spdlog::warn(
        "logistic regression stopped after {} Newton iterations short of convergence "
        "(gradient at {:.2g} of its start, target {:.0e}); its coefficients are "
        "approximate: raise max_iterations or l2",
        report.iterations, report.relative_gradient, kGradientTolerance);
  }

  // Undo the centring: intercept_o = b_o - centre . w_o. Multinomial intercepts are only defined
  // up to a common shift; they are reported summing to zero.
  const Eigen::Index d = problem.x.cols();
  const Eigen::Map<const Matrix> w(theta.data(), d, k);
  Vector intercept = theta.tail(k) - (centre * w).transpose();
  if (problem.multinomial) intercept.array() -= intercept.mean();

  LinearCoefficients c;
  c.outputs = static_cast<size_t>(k);
  c.cols = data.x->cols;
  c.classes = present;
  c.intercept.assign(intercept.data(), intercept.data() + k);
  Matrix coef_rows = w.transpose();
  c.coef.resize(c.outputs * c.cols);
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      c.coef.data(), k, d) = coef_rows;
  std::unique_ptr<Model> model =
      std::make_unique<LinearModel>("logistic", data.task, data.classes, std::move(c), report);
  return model;
}

// Centred, weighted normal equations (X_c' S X_c + l2 I) w = X_c' S (y - mean y), the system
// scikit-learn's "cholesky" solver forms; LDLT also copes with the semidefinite l2 = 0 case.
Result<std::unique_ptr<Model>> TrainRidge(const ModelSpec& spec, const TrainData& data) {
  KILN_RETURN_IF_ERROR(CheckSpec(spec, /*iterative=*/false));
  KILN_RETURN_IF_ERROR(ValidateTrainData(data));
  KILN_RETURN_IF_ERROR(CheckFinite(*data.x, "training"));
  const Vector s = RowWeights(data);
  const auto n = static_cast<Eigen::Index>(data.x->rows);
  const Eigen::Map<const Vector> y(data.y.data(), n);
  const Matrix x = ToMatrix(*data.x);
  const double weight_sum = s.sum();
  const Eigen::RowVectorXd x_mean = (s.transpose() * x) / weight_sum;
  const double y_mean = s.dot(y) / weight_sum;

  const Matrix centred = x.rowwise() - x_mean;
  const Matrix weighted = s.asDiagonal() * centred;
  Matrix gram = centred.transpose() * weighted;
  gram.diagonal().array() += spec.l2;
  const Vector rhs = weighted.transpose() * (y.array() - y_mean).matrix();
  const Eigen::LDLT<Matrix> ldlt(gram);
  const Vector w = ldlt.solve(rhs);
  if (ldlt.info() != Eigen::Success || !w.allFinite()) {
    return MakeError(ErrorCode::kData,
                     "ridge regression's normal equations are singular (the "
                     "{} feature columns are collinear or constant and l2 is {}): set l2 > 0",
                     data.x->cols, spec.l2);
  }

  LinearCoefficients c;
  c.cols = data.x->cols;
  c.coef.assign(w.data(), w.data() + w.size());
  c.intercept = {y_mean - x_mean.dot(w)};
  std::unique_ptr<Model> model = std::make_unique<LinearModel>(
      "ridge", TaskType::kRegression, 1, std::move(c), SolverReport{0, true, 0});
  return model;
}

// ----- Loading ----------------------------------------------------------------------------------

Result<std::vector<size_t>> ReadLabels(train::ModelReader& reader, TaskType task, size_t classes,
                                       bool logistic) {
  KILN_ASSIGN_OR_RETURN(const std::vector<double> labels,
                        reader.Doubles("labels", static_cast<uint64_t>(kMaxClasses)));
  if (!logistic) {
    if (!labels.empty()) return reader.Invalid("labels", "is set for a regression model");
    return std::vector<size_t>{};
  }
  if (labels.size() < 2 || labels.size() > classes) {
    return reader.Invalid("labels", fmt::format("lists {} classes of {}", labels.size(), classes));
  }
  std::vector<size_t> out;
  for (double label : labels) {
    const bool index =
        label >= 0 && label < static_cast<double>(classes) && label == std::floor(label);
    if (!index || (!out.empty() && label <= static_cast<double>(out.back()))) {
      return reader.Invalid("labels", "is not an ascending list of class indices");
    }
    out.push_back(static_cast<size_t>(label));
  }
  if (task == TaskType::kBinary && out != std::vector<size_t>{0, 1}) {
    return reader.Invalid("labels", "must be {0, 1} for a binary model");
  }
  return out;
}

Result<std::unique_ptr<Model>> LoadLinear(std::string_view bytes, std::string_view family) {
  const bool logistic = family == "logistic";
  KILN_ASSIGN_OR_RETURN(train::ModelReader reader,
                        train::ModelReader::Open(bytes, family, kFormatVersion));
  KILN_ASSIGN_OR_RETURN(const int64_t task_code, reader.Int("task"));
  const bool classification = task_code == static_cast<int64_t>(TaskType::kBinary) ||
                              task_code == static_cast<int64_t>(TaskType::kMulticlass);
  const bool regression = task_code == static_cast<int64_t>(TaskType::kRegression);
  if (logistic ? !classification : !regression) {
    return reader.Invalid("task",
                          fmt::format("holds {}, not a task this family solves", task_code));
  }
  const auto task = static_cast<TaskType>(task_code);

  KILN_ASSIGN_OR_RETURN(const int64_t classes, reader.Int("classes"));
  const bool classes_ok = task == TaskType::kBinary       ? classes == 2
                          : task == TaskType::kMulticlass ? classes >= 2 && classes <= kMaxClasses
                                                          : classes == 1;
  if (!classes_ok) return reader.Invalid("classes", fmt::format("holds {}", classes));
  KILN_ASSIGN_OR_RETURN(const int64_t cols, reader.Int("cols"));
  if (cols < 0 || cols > kMaxColumns) return reader.Invalid("cols", fmt::format("holds {}", cols));

  LinearCoefficients c;
  c.cols = static_cast<size_t>(cols);
  KILN_ASSIGN_OR_RETURN(c.classes,
                        ReadLabels(reader, task, static_cast<size_t>(classes), logistic));
  c.outputs = c.classes.size() > 2 ? c.classes.size() : 1;
  const uint64_t coef_count = static_cast<uint64_t>(c.outputs) * c.cols;
  KILN_ASSIGN_OR_RETURN(c.coef, reader.Doubles("coef", coef_count));
  if (c.coef.size() != coef_count) {
    return reader.Invalid("coef", fmt::format("holds {} values for {} outputs x {} columns",
                                              c.coef.size(), c.outputs, c.cols));
  }
  KILN_ASSIGN_OR_RETURN(c.intercept, reader.Doubles("intercept", c.outputs));
  if (c.intercept.size() != c.outputs) {
    return reader.Invalid(
        "intercept", fmt::format("holds {} values for {} outputs", c.intercept.size(), c.outputs));
  }

  SolverReport report;
  KILN_ASSIGN_OR_RETURN(report.iterations, reader.Int("iterations"));
  KILN_ASSIGN_OR_RETURN(const int64_t converged, reader.Int("converged"));
  KILN_ASSIGN_OR_RETURN(const std::vector<double> gradient, reader.Doubles("relative_gradient", 1));
  if (report.iterations < 0 || (converged != 0 && converged != 1) || gradient.size() != 1) {
    return reader.Invalid("iterations", "or the solver report after it is out of range");
  }
  report.converged = converged == 1;
  report.relative_gradient = gradient[0];
  KILN_RETURN_IF_ERROR(reader.Done());

  std::unique_ptr<Model> model = std::make_unique<LinearModel>(
      std::string(family), task, static_cast<size_t>(classes), std::move(c), report);
  return model;
}

FamilyTraits LinearTraits() {
  FamilyTraits traits;
  traits.keep_missing = false;
  traits.native_categorical = false;
  traits.wants_scaling = true;
  traits.supports_weights = true;
  return traits;
}

}  // namespace

const LinearCoefficients* LinearCoefficientsOf(const Model& model) {
  const auto* linear = dynamic_cast<const LinearModel*>(&model);
  return linear == nullptr ? nullptr : &linear->coefficients();
}

ModelFamily LogisticFamily() {
  ModelFamily family;
  family.name = "logistic";
  family.description = "L2-regularised logistic regression, two-class or multinomial";
  family.traits = LinearTraits();
  family.supports = [](TaskType task) { return task != TaskType::kRegression; };
  family.train = TrainLogistic;
  family.load = [](std::string_view bytes) { return LoadLinear(bytes, "logistic"); };
  return family;
}

ModelFamily RidgeFamily() {
  ModelFamily family;
  family.name = "ridge";
  family.description = "L2-regularised least-squares regression";
  family.traits = LinearTraits();
  family.supports = [](TaskType task) { return task == TaskType::kRegression; };
  family.train = TrainRidge;
  family.load = [](std::string_view bytes) { return LoadLinear(bytes, "ridge"); };
  return family;
}

}  // namespace kiln
