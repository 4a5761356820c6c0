/**
 * @file classifier_data.h
 * @brief Reading the classifier data set (CSV written by scripts/export_dataset.py) and the
 * small helpers the trainer and the evaluator share. Header-only: two programs use it.
 *
 * CSV layout: one header row (feature names, then "label"), then one sample per row: the
 * features as decimal numbers and the class label as an integer in the last column.
 */
#pragma once

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace classifier {

/// A data set in memory: features [N, F] float64 and labels [N] int64.
struct Dataset {
  torch::Tensor x;
  torch::Tensor y;
  std::vector<std::string> feature_names;
  int64_t size() const { return y.size(0); }
};

/// Splits one CSV line at commas (the exporter writes no quoted fields).
inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

/**
 * @brief Reads a CSV written by scripts/export_dataset.py.
 * @param path the file; throws std::runtime_error naming the file and line on any problem
 */
inline Dataset read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open " + path + " (run: python3 scripts/export_dataset.py)");
  }
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(path + ": empty file");
  Dataset d;
  d.feature_names = split_csv_line(line);
  if (d.feature_names.size() < 2 || d.feature_names.back() != "label") {
    throw std::runtime_error(path + ": the header must end with a \"label\" column");
  }
  d.feature_names.pop_back();
  const std::size_t num_features = d.feature_names.size();
  std::vector<double> features;
  std::vector<int64_t> labels;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != num_features + 1) {
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": expected " +
                               std::to_string(num_features + 1) + " fields, got " + std::to_string(fields.size()));
    }
    for (std::size_t j = 0; j <= num_features; ++j) {
      char* end = nullptr;
      const double v = std::strtod(fields[j].c_str(), &end);
      if (end == fields[j].c_str()) {
        throw std::runtime_error(path + ":" + std::to_string(line_no) + ": field " + std::to_string(j + 1) +
                                 " is not a number: \"" + fields[j] + "\"");
      }
      if (j < num_features) {
        features.push_back(v);
      } else {
        labels.push_back(static_cast<int64_t>(v));
      }
    }
  }
  if (labels.empty()) throw std::runtime_error(path + ": no samples");
  const auto n = static_cast<int64_t>(labels.size());
  d.x = torch::tensor(features, torch::kFloat64).reshape({n, static_cast<int64_t>(num_features)});
  d.y = torch::tensor(labels, torch::kInt64);
  return d;
}

/// The fraction of rows whose arg-max logit equals the label.
inline double accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}

}  // namespace classifier
