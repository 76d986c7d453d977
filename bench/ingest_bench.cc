// CSV ingest speed: tokenizing (ReadCsv) and typing (InferFrame) on one thread.
//
//   ingest_bench                        Google Benchmark cases on a generated in-memory file
//   ingest_bench --file PATH [--repeat N] [--threads T]
//                                       reads PATH N times (default 3) and prints the best time
//                                       as JSON: {"seconds", "mb_per_s", "cpu_seconds", ...};
//                                       T > 1 converts columns in parallel (default 1)
//
// bench/ingest_vs_pandas.py runs the second form next to pandas.read_csv on the same file.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "data/csv_reader.h"
#include "data/infer.h"

namespace {

// The shape ingest_vs_pandas.py writes: 16 float columns (normals, 6 decimals) and 4 short
// categorical ones with 10, 20, 35 and 50 levels.
std::string MakeCsv(size_t rows) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const int levels[4] = {10, 20, 35, 50};
  std::string text;
  for (int i = 0; i < 16; ++i) text += fmt::format("x{},", i);
  text += "c0,c1,c2,c3\n";
  for (size_t r = 0; r < rows; ++r) {
    for (int i = 0; i < 16; ++i) text += fmt::format("{:.6f},", normal(rng));
    for (int i = 0; i < 4; ++i) {
      text += fmt::format("lvl{}_{:02d}{}", i, rng() % levels[i], i == 3 ? '\n' : ',');
    }
  }
  return text;
}

const std::string& SmallCsv() {
  static const std::string text = MakeCsv(20000);
  return text;
}

void BM_ReadCsv(benchmark::State& state) {
  const std::string& text = SmallCsv();
  for (auto _ : state) {
    auto table = kiln::ReadCsv(text, {}, "bench.csv", nullptr);
    benchmark::DoNotOptimize(table);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadCsv)->Unit(benchmark::kMillisecond);

void BM_InferFrame(benchmark::State& state) {
  const std::string& text = SmallCsv();
  auto table = kiln::ReadCsv(text, {}, "bench.csv", nullptr);
  for (auto _ : state) {
    auto frame = kiln::InferFrame(*table, {});
    benchmark::DoNotOptimize(frame);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_InferFrame)->Unit(benchmark::kMillisecond);

void BM_ReadCsvAndInfer(benchmark::State& state) {
  const std::string& text = SmallCsv();
  for (auto _ : state) {
    auto table = kiln::ReadCsv(text, {}, "bench.csv", nullptr);
    auto frame = kiln::InferFrame(*table, {});
    benchmark::DoNotOptimize(frame);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadCsvAndInfer)->Unit(benchmark::kMillisecond);

// The path `kiln data add` takes: one streamed pass from text to typed frame.
void BM_ReadCsvFrame(benchmark::State& state) {
  const std::string& text = SmallCsv();
  for (auto _ : state) {
    auto frame = kiln::ReadCsvFrame(text, {}, {}, "bench.csv", nullptr);
    benchmark::DoNotOptimize(frame);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadCsvFrame)->Unit(benchmark::kMillisecond);

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of this process (user and system), which a busy shared machine does not inflate the
// way it inflates wall time.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Best of `repeat` runs of one way of reading `path` into a typed frame: wall and CPU seconds.
template <typename ReadFn>
std::pair<double, double> BestOf(int repeat, const ReadFn& read, size_t* rows, size_t* cols) {
  double best = 1e300, best_cpu = 1e300;
  for (int i = 0; i < repeat; ++i) {
    const double cpu_start = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    kiln::Result<kiln::Frame> frame = read();
    const double wall = Seconds(start, std::chrono::steady_clock::now());
    const double cpu = CpuSeconds() - cpu_start;
    if (!frame.ok()) {
      std::fprintf(stderr, "%s\n", frame.status().message().c_str());
      std::exit(2);
    }
    best = std::min(best, wall);
    best_cpu = std::min(best_cpu, cpu);
    *rows = frame->rows();
    *cols = frame->cols();
  }
  return {best, best_cpu};
}

// Times the path `kiln data add` takes (ReadCsvFileFrame: one streamed pass) and, for
// comparison, the two-step path (ReadCsvFile into a table of cells, then InferFrame).
int RunFile(const std::string& path, int repeat, int threads, bool two_step_too) {
  kiln::InferOptions options;
  options.threads = threads;
  size_t rows = 0, cols = 0;
  const auto [best, best_cpu] = BestOf(
      repeat, [&] { return kiln::ReadCsvFileFrame(path, {}, options, nullptr); }, &rows, &cols);
  auto [two_step, two_step_cpu] = std::pair<double, double>(0, 0);
  if (two_step_too) {
    std::tie(two_step, two_step_cpu) = BestOf(
        repeat,
        [&]() -> kiln::Result<kiln::Frame> {
          KILN_ASSIGN_OR_RETURN(kiln::RawTable table, kiln::ReadCsvFile(path, {}, nullptr));
          return kiln::InferFrame(table, options);
        },
        &rows, &cols);
  }

  size_t bytes = 0;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f != nullptr) {
    std::fseek(f, 0, SEEK_END);
    bytes = static_cast<size_t>(std::ftell(f));
    std::fclose(f);
  }
  std::printf(
      "{\"file\": \"%s\", \"bytes\": %zu, \"rows\": %zu, \"cols\": %zu, \"repeats\": %d, "
      "\"threads\": %d, \"seconds\": %.4f, \"cpu_seconds\": %.4f, \"mb_per_s\": %.1f, "
      "\"two_step_seconds\": %.4f, \"two_step_cpu_seconds\": %.4f}\n",
      path.c_str(), bytes, rows, cols, repeat, threads, best, best_cpu, bytes / 1e6 / best,
      two_step, two_step_cpu);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file;
  int repeat = 3;
  int threads = 1;
  bool two_step = true;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--file") == 0) file = argv[i + 1];
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
  }
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--stream-only") == 0) two_step = false;
  }
  if (!file.empty()) return RunFile(file, repeat, threads, two_step);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
