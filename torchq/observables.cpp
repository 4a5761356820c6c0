/// @file observables.cpp
#include "torchq/observables.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "torchq/bits.h"
#include "torchq/errors.h"
#include "torchq/small_matrix.h"

namespace torchq {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ProgramError(where + ": " + what);
}

constexpr Index kReduceBlock = Index{1} << 14;

}  // namespace

Observable Observable::pauli_word(const std::string& paulis, const std::vector<int>& wires, double coeff) {
  Observable o;
  o.add_term(coeff, paulis, wires);
  return o;
}

Observable& Observable::add_term(double coeff, const std::string& paulis, const std::vector<int>& wires) {
  if (paulis.size() != wires.size()) {
    throw ArgumentError("Pauli word '" + paulis + "' has " + std::to_string(paulis.size()) +
                        " letters but " + std::to_string(wires.size()) + " wires were given");
  }
  PauliTerm t;
  t.coeff = coeff;
  for (std::size_t j = 0; j < paulis.size(); ++j) {
    switch (paulis[j]) {
      case 'I': t.factors.push_back({wires[j], Pauli::I}); break;  // kept: its wire is checked and drawn
      case 'X': t.factors.push_back({wires[j], Pauli::X}); break;
      case 'Y': t.factors.push_back({wires[j], Pauli::Y}); break;
      case 'Z': t.factors.push_back({wires[j], Pauli::Z}); break;
      default:
        throw ArgumentError(std::string("Pauli word letters must be I, X, Y or Z, got '") + paulis[j] + "'");
    }
  }
  terms.push_back(std::move(t));
  return *this;
}

std::vector<int> Observable::wires() const {
  std::set<int> all;
  for (const PauliTerm& t : terms) {
    for (const PauliFactor& f : t.factors) all.insert(f.wire);
  }
  return {all.begin(), all.end()};
}

std::string observable_label(const Observable& o) {
  std::string out;
  for (std::size_t k = 0; k < o.terms.size(); ++k) {
    const PauliTerm& t = o.terms[k];
    // Appended piece by piece: gcc 12 warns (-Wrestrict, a false positive) on "(" + std::string.
    std::string word;
    for (const PauliFactor& f : t.factors) {
      if (!word.empty()) word.append(" @ ");
      word.append(1, "IXYZ"[static_cast<int>(f.pauli) & 3]).append("(").append(std::to_string(f.wire)).append(")");
    }
    if (word.empty()) word = "I";
    const double mag = std::abs(t.coeff);
    if (k > 0) out.append(t.coeff < 0 ? " - " : " + ");
    else if (t.coeff < 0) out.append("-");
    if (mag != 1.0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g*", mag);  // Python's f"{mag:g}*"
      out.append(buf);
    }
    out.append(word);
  }
  return out;
}

void validate_observables(const std::vector<Observable>& obs, int num_qubits) {
  for (std::size_t k = 0; k < obs.size(); ++k) {
    if (obs[k].terms.empty()) fail("observable #" + std::to_string(k), "has no terms; give at least one");
    for (std::size_t t = 0; t < obs[k].terms.size(); ++t) {
      const PauliTerm& term = obs[k].terms[t];
      const std::string where = "observable #" + std::to_string(k) + " term #" + std::to_string(t);
      if (!std::isfinite(term.coeff)) fail(where, "coefficient must be finite");
      std::set<int> seen;
      for (const PauliFactor& f : term.factors) {
        if (f.wire < 0 || f.wire >= num_qubits) {
          fail(where, "wire " + std::to_string(f.wire) + " is out of range: the circuit has " +
                          std::to_string(num_qubits) + " qubits, so wires are 0.." + std::to_string(num_qubits - 1));
        }
        if (!seen.insert(f.wire).second) {
          fail(where, "wire " + std::to_string(f.wire) + " appears twice; a Pauli word has one factor per wire");
        }
        const int p = static_cast<int>(f.pauli);
        if (p < 0 || p > 3) fail(where, "Pauli code must be 0 (I), 1 (X), 2 (Y) or 3 (Z), got " + std::to_string(p));
      }
    }
  }
}

std::vector<double> observables_to_array(const std::vector<Observable>& obs) {
  std::vector<double> out{kObservableMagic, static_cast<double>(kObservableVersion),
                          static_cast<double>(obs.size())};
  for (const Observable& o : obs) {
    out.push_back(static_cast<double>(o.terms.size()));
    for (const PauliTerm& t : o.terms) {
      out.push_back(t.coeff);
      out.push_back(static_cast<double>(t.factors.size()));
      for (const PauliFactor& f : t.factors) {
        out.push_back(f.wire);
        out.push_back(static_cast<double>(f.pauli));
      }
    }
  }
  return out;
}

std::vector<Observable> observables_from_array(std::span<const double> d, int num_qubits) {
  std::size_t pos = 0;
  auto next = [&](const std::string& where, const std::string& field) {
    if (pos >= d.size()) fail(where, "observable array ends early while reading " + field);
    const double v = d[pos++];
    if (!std::isfinite(v)) fail(where, field + " must be finite");
    return v;
  };
  auto integer = [&](const std::string& where, const std::string& field, long long lo, long long hi) {
    const double v = next(where, field);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
      std::ostringstream s;
      s << field << " must be an integer in [" << lo << ", " << hi << "], got " << v;
      fail(where, s.str());
    }
    return static_cast<int>(v);
  };
  const std::string head = "observable header";
  if (d.size() < 3 || d[0] != kObservableMagic) {
    fail(head, "must start with the torchq observable magic 20817 (made by observables_to_array)");
  }
  pos = 1;
  const int version = integer(head, "version", 0, 1 << 20);
  if (version != kObservableVersion) {
    fail(head, "unsupported observable version " + std::to_string(version) + "; this build reads version " +
                   std::to_string(kObservableVersion));
  }
  const int count = integer(head, "num_observables", 1, 1 << 24);
  std::vector<Observable> obs(count);
  for (int k = 0; k < count; ++k) {
    const std::string where = "observable #" + std::to_string(k);
    const int nt = integer(where, "num_terms", 1, 1 << 24);
    for (int t = 0; t < nt; ++t) {
      PauliTerm term;
      term.coeff = next(where, "coefficient");
      const int nf = integer(where, "num_factors", 0, num_qubits);
      for (int f = 0; f < nf; ++f) {
        // Any integer reaches validate_observables, whose message names the circuit's range.
        const int w = integer(where, "wire", -(1 << 30), 1 << 30);
        const int p = integer(where, "pauli code", 0, 3);
        term.factors.push_back({w, static_cast<Pauli>(p)});
      }
      obs[k].terms.push_back(std::move(term));
    }
  }
  if (pos != d.size()) {
    fail("observable array", "has " + std::to_string(d.size() - pos) + " trailing number(s)");
  }
  validate_observables(obs, num_qubits);
  return obs;
}

std::vector<double> observables_to_table(const std::vector<Observable>& obs, std::size_t* row_length) {
  std::vector<std::vector<double>> rows;
  std::size_t width = 0;
  for (const Observable& o : obs) {
    std::vector<double> flat = observables_to_array({o});
    flat.erase(flat.begin() + 2);  // drop num_observables: a row holds one
    width = std::max(width, flat.size());
    rows.push_back(std::move(flat));
  }
  std::vector<double> out;
  for (auto& r : rows) {
    r.resize(width, 0.0);
    out.insert(out.end(), r.begin(), r.end());
  }
  *row_length = width;
  return out;
}

std::vector<Observable> observables_from_table(const double* data, std::size_t num_rows, std::size_t row_length,
                                               int num_qubits) {
  if (num_rows == 0) throw ProgramError("observables: give at least one observable (the table has 0 rows)");
  std::vector<Observable> out;
  for (std::size_t k = 0; k < num_rows; ++k) {
    const double* row = data + k * row_length;
    const std::string where = "observable #" + std::to_string(k);
    if (row_length < 3) fail(where, "a row needs at least 3 numbers, got " + std::to_string(row_length));
    // Rebuild the flat form of one observable, then drop the zero padding the parser would reject.
    std::vector<double> flat{row[0], row[1], 1.0};
    flat.insert(flat.end(), row + 2, row + row_length);
    std::size_t used = 3;
    {
      // Walk the terms to find where the observable ends.
      std::size_t pos = 3;
      const double nt = flat.size() > 3 ? flat[3] : 0;
      if (row[0] != kObservableMagic) fail(where, "row must start with the torchq observable magic 20817");
      if (!(nt >= 1 && nt == std::floor(nt) && nt <= static_cast<double>(row_length))) {
        fail(where, "num_terms must be a positive integer, got " + std::to_string(nt));
      }
      pos = 4;
      for (long t = 0; t < static_cast<long>(nt); ++t) {
        if (pos + 2 > flat.size()) fail(where, "row ends early inside term #" + std::to_string(t));
        const double nf = flat[pos + 1];
        if (!(nf >= 0 && nf == std::floor(nf) && nf <= num_qubits)) {
          fail(where, "term #" + std::to_string(t) + " num_factors must be an integer in [0, " +
                          std::to_string(num_qubits) + "], got " + std::to_string(nf));
        }
        pos += 2 + 2 * static_cast<std::size_t>(nf);
        if (pos > flat.size()) fail(where, "row ends early inside term #" + std::to_string(t));
      }
      used = pos;
    }
    for (std::size_t j = used; j < flat.size(); ++j) {
      if (flat[j] != 0.0) fail(where, "padding after the last term must be zeros");
    }
    flat.resize(used);
    try {
      std::vector<Observable> one = observables_from_array(flat, num_qubits);
      out.push_back(std::move(one.front()));
    } catch (const ProgramError& e) {
      throw ProgramError("observable row " + std::to_string(k) + ": " + e.what());
    }
  }
  return out;
}

std::vector<CompiledObservable> compile_observables(const std::vector<Observable>& obs, int num_qubits) {
  validate_observables(obs, num_qubits);
  std::vector<CompiledObservable> out(obs.size());
  for (std::size_t k = 0; k < obs.size(); ++k) {
    for (const PauliTerm& t : obs[k].terms) {
      PauliMasks m;
      m.coeff = t.coeff;
      for (const PauliFactor& f : t.factors) {
        const Index bit = Index{1} << wire_to_bit(num_qubits, f.wire);
        if (f.pauli == Pauli::X || f.pauli == Pauli::Y) m.xmask |= bit;
        if (f.pauli == Pauli::Z || f.pauli == Pauli::Y) m.zmask |= bit;
        if (f.pauli == Pauli::Y) ++m.num_y;
      }
      out[k].terms.push_back(m);
    }
  }
  return out;
}

template <class T>
std::complex<double> pauli_inner(const Complex<T>* a, const Complex<T>* b, int num_qubits, Index xmask,
                                 Index zmask, int num_y, Index proj_mask, const Executor& ex) {
  const Index size = Index{1} << num_qubits;
  // sum_i conj(a[i ^ x]) * (-1)^popcount(i & z) * b[i] over i with proj bits set; times i^num_y.
  const std::complex<double> s = deterministic_sum<std::complex<double>>(
      ex, size, kReduceBlock, [&](Index lo, Index hi) {
        double re = 0, im = 0;
        for (Index i = lo; i < hi; ++i) {
          if ((i & proj_mask) != proj_mask) continue;
          const Complex<T> x = a[i ^ xmask];
          const Complex<T> y = b[i];
          // conj(x) * y
          double pr = static_cast<double>(x.real()) * y.real() + static_cast<double>(x.imag()) * y.imag();
          double pi = static_cast<double>(x.real()) * y.imag() - static_cast<double>(x.imag()) * y.real();
          if (parity(i & zmask)) { pr = -pr; pi = -pi; }
          re += pr;
          im += pi;
        }
        return std::complex<double>(re, im);
      });
  return s * i_power(num_y);
}

template <class T>
double expectation(const Complex<T>* psi, int num_qubits, const CompiledObservable& obs, const Executor& ex) {
  double total = 0;
  for (const PauliMasks& m : obs.terms) {
    total += m.coeff * pauli_inner(psi, psi, num_qubits, m.xmask, m.zmask, m.num_y, 0, ex).real();
  }
  return total;
}

template <class T>
void apply_observable_add(Complex<T>* out, const Complex<T>* psi, int num_qubits, const CompiledObservable& obs,
                          double scale, const Executor& ex) {
  const Index size = Index{1} << num_qubits;
  for (const PauliMasks& m : obs.terms) {
    const std::complex<double> c = scale * m.coeff * i_power(m.num_y);
    const Complex<T> cp = to_t<T>(c);
    const Complex<T> cm = -cp;
    // (P psi)[i ^ x] = phase(i) psi[i]; i -> i ^ x is a bijection, so chunks never collide.
    ex.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) {
        const Complex<T> f = parity(i & m.zmask) ? cm : cp;
        const Complex<T> v = psi[i];
        Complex<T>& o = out[i ^ m.xmask];
        o = {o.real() + f.real() * v.real() - f.imag() * v.imag(), o.imag() + f.real() * v.imag() + f.imag() * v.real()};
      }
    });
  }
}

namespace {

/// A diagonal Pauli term of observable k: coeff * (-1)^popcount(i & zmask).
struct DiagonalTerm {
  std::size_t observable;
  Index zmask;
  double coeff;
};

std::vector<DiagonalTerm> diagonal_terms(const std::vector<CompiledObservable>& obs, const double* scales) {
  std::vector<DiagonalTerm> out;
  for (std::size_t k = 0; k < obs.size(); ++k) {
    if (scales != nullptr && scales[k] == 0.0) continue;
    for (const PauliMasks& m : obs[k].terms) {
      if (m.xmask == 0) out.push_back({k, m.zmask, m.coeff * (scales != nullptr ? scales[k] : 1.0)});
    }
  }
  return out;
}

/**
 * Diagonal terms evaluated chunk by chunk. A chunk is 2^low_bits consecutive amplitudes: inside
 * it only the term's low bits vary, so its sign is sign_high(chunk) * sign_low(j), and terms with
 * the same low mask (for Z on every wire: no low bit, or one of the low_bits) share one table of
 * sign_low. Per amplitude that is one multiply-add per distinct low mask (at most
 * 2^low_bits, typically low_bits + 1), not one parity per term.
 */
struct ChunkedDiagonal {
  int low_bits = 0;
  Index chunk = 1;
  std::vector<Index> group_masks;         ///< distinct low masks
  std::vector<std::size_t> term_group;    ///< group of each term
  std::vector<double> tables;             ///< [group][j]: (-1)^popcount(j & mask)

  ChunkedDiagonal(const std::vector<DiagonalTerm>& diag, int num_qubits) {
    low_bits = std::min(num_qubits, 6);
    chunk = Index{1} << low_bits;
    for (const DiagonalTerm& t : diag) {
      const Index lm = t.zmask & (chunk - 1);
      auto it = std::find(group_masks.begin(), group_masks.end(), lm);
      term_group.push_back(static_cast<std::size_t>(it - group_masks.begin()));
      if (it == group_masks.end()) group_masks.push_back(lm);
    }
    tables.resize(group_masks.size() * chunk);
    for (std::size_t g = 0; g < group_masks.size(); ++g) {
      for (Index j = 0; j < chunk; ++j) tables[g * chunk + j] = std::popcount(j & group_masks[g]) & 1 ? -1.0 : 1.0;
    }
  }
  std::size_t groups() const { return group_masks.size(); }
  const double* table(std::size_t g) const { return tables.data() + g * chunk; }
};

/// A vector that deterministic_sum can add up.
struct Sums {
  std::vector<double> v;
  Sums& operator+=(const Sums& o) {
    if (v.empty()) v.assign(o.v.size(), 0.0);
    for (std::size_t j = 0; j < o.v.size(); ++j) v[j] += o.v[j];
    return *this;
  }
};

}  // namespace

template <class T>
void expectations(const Complex<T>* psi, int num_qubits, const std::vector<CompiledObservable>& obs, double* out,
                  const Executor& ex) {
  for (std::size_t k = 0; k < obs.size(); ++k) out[k] = 0.0;
  const std::vector<DiagonalTerm> diag = diagonal_terms(obs, nullptr);
  if (!diag.empty()) {
    const ChunkedDiagonal cd(diag, num_qubits);
    const Index chunks = (Index{1} << num_qubits) >> cd.low_bits;
    const Index chunks_per_block = std::max<Index>(1, kReduceBlock >> cd.low_bits);
    const Sums s = deterministic_sum<Sums>(ex, chunks, chunks_per_block, [&](Index lo, Index hi) {
      Sums acc;
      acc.v.assign(diag.size(), 0.0);
      std::vector<double> p(cd.chunk), gs(cd.groups());
      for (Index c = lo; c < hi; ++c) {
        const Index base = c << cd.low_bits;
        for (Index j = 0; j < cd.chunk; ++j) {
          const Complex<T> a = psi[base + j];
          p[j] = static_cast<double>(a.real()) * a.real() + static_cast<double>(a.imag()) * a.imag();
        }
        for (std::size_t g = 0; g < cd.groups(); ++g) {
          const double* tb = cd.table(g);
          double sum = 0;
          for (Index j = 0; j < cd.chunk; ++j) sum += tb[j] * p[j];
          gs[g] = sum;
        }
        for (std::size_t t = 0; t < diag.size(); ++t) {
          const double v = gs[cd.term_group[t]];
          acc.v[t] += parity(base & diag[t].zmask) ? -v : v;
        }
      }
      return acc;
    });
    for (std::size_t t = 0; t < diag.size(); ++t) out[diag[t].observable] += diag[t].coeff * s.v[t];
  }
  for (std::size_t k = 0; k < obs.size(); ++k) {
    for (const PauliMasks& m : obs[k].terms) {
      if (m.xmask == 0) continue;
      out[k] += m.coeff * pauli_inner(psi, psi, num_qubits, m.xmask, m.zmask, m.num_y, 0, ex).real();
    }
  }
}

template <class T>
void apply_observables_add(Complex<T>* out, const Complex<T>* psi, int num_qubits,
                           const std::vector<CompiledObservable>& obs, const double* scales, const Executor& ex,
                           bool overwrite) {
  const std::vector<DiagonalTerm> diag = diagonal_terms(obs, scales);
  if (overwrite && diag.empty()) {
    ex.parallel_for(Index{1} << num_qubits, kAmplitudeGrain, [&](Index lo, Index hi) {
      std::fill(out + lo, out + hi, Complex<T>{0});
    });
  }
  if (!diag.empty()) {
    const ChunkedDiagonal cd(diag, num_qubits);
    const Index chunks = (Index{1} << num_qubits) >> cd.low_bits;
    ex.parallel_for(chunks, std::max<Index>(1, kAmplitudeGrain >> cd.low_bits), [&](Index lo, Index hi) {
      std::vector<double> gsum(cd.groups()), d(cd.chunk);
      for (Index c = lo; c < hi; ++c) {
        const Index base = c << cd.low_bits;
        std::fill(gsum.begin(), gsum.end(), 0.0);
        for (std::size_t t = 0; t < diag.size(); ++t) {
          gsum[cd.term_group[t]] += parity(base & diag[t].zmask) ? -diag[t].coeff : diag[t].coeff;
        }
        std::fill(d.begin(), d.end(), 0.0);
        for (std::size_t g = 0; g < cd.groups(); ++g) {
          const double* tb = cd.table(g);
          for (Index j = 0; j < cd.chunk; ++j) d[j] += gsum[g] * tb[j];
        }
        if (overwrite) {
          for (Index j = 0; j < cd.chunk; ++j) out[base + j] = psi[base + j] * static_cast<T>(d[j]);
        } else {
          for (Index j = 0; j < cd.chunk; ++j) out[base + j] += psi[base + j] * static_cast<T>(d[j]);
        }
      }
    });
  }
  for (std::size_t k = 0; k < obs.size(); ++k) {
    if (scales[k] == 0.0) continue;
    CompiledObservable off;
    for (const PauliMasks& m : obs[k].terms) {
      if (m.xmask != 0) off.terms.push_back(m);
    }
    if (!off.terms.empty()) apply_observable_add(out, psi, num_qubits, off, scales[k], ex);
  }
}

#define TORCHQ_INSTANTIATE(T)                                                                         \
  template std::complex<double> pauli_inner<T>(const Complex<T>*, const Complex<T>*, int, Index, Index, int, \
                                               Index, const Executor&);                              \
  template double expectation<T>(const Complex<T>*, int, const CompiledObservable&, const Executor&);  \
  template void apply_observable_add<T>(Complex<T>*, const Complex<T>*, int, const CompiledObservable&, double, \
                                        const Executor&);                                                      \
  template void expectations<T>(const Complex<T>*, int, const std::vector<CompiledObservable>&, double*,         \
                                const Executor&);                                                              \
  template void apply_observables_add<T>(Complex<T>*, const Complex<T>*, int, const std::vector<CompiledObservable>&, \
                                         const double*, const Executor&, bool);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
