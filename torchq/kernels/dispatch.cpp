/// @file dispatch.cpp
/// @brief Picks the kernel table for this CPU at run time.
#include <cstdlib>
#include <string>

#include "torchq/errors.h"
#include "torchq/kernels/kernel_table.h"

namespace torchq::kernels {

// Defined by the per-ISA translation units (kernels_<isa>.cpp).
namespace isa_generic { const KernelTable<float>& table_f(); const KernelTable<double>& table_d(); }
namespace isa_avx2 { const KernelTable<float>& table_f(); const KernelTable<double>& table_d(); }
namespace isa_avx512 { const KernelTable<float>& table_f(); const KernelTable<double>& table_d(); }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kGeneric: return "generic";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out{Isa::kGeneric};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out.push_back(Isa::kAvx2);
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    out.push_back(Isa::kAvx512);
  }
#endif
  return out;
}

namespace {

bool supported(Isa isa) {
  for (Isa s : supported_isas()) if (s == isa) return true;
  return false;
}

Isa chosen_isa() {
  static const Isa isa = [] {
    const std::vector<Isa> all = supported_isas();
    const char* env = std::getenv("TORCHQ_ISA");
    if (env == nullptr || *env == '\0') return all.back();
    for (Isa s : {Isa::kGeneric, Isa::kAvx2, Isa::kAvx512}) {
      if (std::string(env) == isa_name(s)) {
        if (!supported(s)) {
          throw ArgumentError(std::string("TORCHQ_ISA=") + env +
                              " is not supported by this CPU; use generic or leave it unset");
        }
        return s;
      }
    }
    throw ArgumentError(std::string("TORCHQ_ISA must be one of generic, avx2, avx512; got '") +
                        env + "'");
  }();
  return isa;
}

}  // namespace

template <>
const KernelTable<float>& kernel_table<float>(Isa isa) {
  if (!supported(isa)) {
    throw ArgumentError(std::string("kernel table '") + isa_name(isa) +
                        "' is not supported by this CPU");
  }
  switch (isa) {
    case Isa::kAvx2: return isa_avx2::table_f();
    case Isa::kAvx512: return isa_avx512::table_f();
    default: return isa_generic::table_f();
  }
}

template <>
const KernelTable<double>& kernel_table<double>(Isa isa) {
  if (!supported(isa)) {
    throw ArgumentError(std::string("kernel table '") + isa_name(isa) +
                        "' is not supported by this CPU");
  }
  switch (isa) {
    case Isa::kAvx2: return isa_avx2::table_d();
    case Isa::kAvx512: return isa_avx512::table_d();
    default: return isa_generic::table_d();
  }
}

template <class T>
const KernelTable<T>& active_kernels() {
  static const KernelTable<T>& table = kernel_table<T>(chosen_isa());
  return table;
}

template const KernelTable<float>& active_kernels<float>();
template const KernelTable<double>& active_kernels<double>();

}  // namespace torchq::kernels
