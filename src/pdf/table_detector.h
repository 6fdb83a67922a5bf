// Where a page's tables may be, from its vector rulings alone (no text yet):
// ruled grids (lattice tables) and stacks of horizontal rules (booktabs-style
// tables). Whether a candidate is a table is decided when its text is known
// (table_builder.h). Pure functions; thread-safe.
//
// Tolerances, in points:
//   - rulings closer than kSnapTolerance across their direction are one line
//     (a rule drawn twice, a double rule, the two edges of adjacent boxes);
//   - collinear pieces with gaps up to kJoinTolerance are joined (dashed or
//     cell-by-cell rules);
//   - merged rulings shorter than kMinRulingLength are dropped (tick marks,
//     the edges of chart markers, barcode and QR modules);
//   - a horizontal and a vertical ruling meet when each reaches within
//     kTouchTolerance of the other.
#pragma once

#include <vector>

#include "docpipe/document.h"
#include "pdf/table_rulings.h"

namespace docpipe::pdf {

inline constexpr float kSnapTolerance = 3.0f;
inline constexpr float kJoinTolerance = 3.0f;
inline constexpr float kMinRulingLength = 6.0f;
inline constexpr float kTouchTolerance = 2.5f;
// How far above the first rule of a two-rule stack its header row may sit
// (a rule under the header and one under the table).
inline constexpr float kHeaderAboveReach = 16.0f;
// Grids with more positions than this are charts or patterns, not tables.
inline constexpr int kMaxGridPositions = 20000;

// One cell of a ruled grid: grid rows [row0, row1) and columns [col0, col1).
struct GridCell {
  int row0 = 0, col0 = 0, row1 = 1, col1 = 1;
};

struct TableCandidate {
  enum class Kind { kLattice, kRules };
  Kind kind = Kind::kLattice;
  BBox bbox;
  // kLattice: grid line positions, ascending (xs.size() - 1 columns); cells
  // row-major by top-left, and the cell index covering each grid position.
  std::vector<float> xs, ys;
  std::vector<GridCell> cells;
  std::vector<int> owner;  // rows x cols
  // kRules: positions of the horizontal rules, top to bottom.
  std::vector<float> rules;
  // kRules: the rules are closed by a frame's left and right sides (a box
  // with rules between its rows and none between its columns).
  bool framed = false;
  int rows() const { return static_cast<int>(ys.size()) - 1; }
  int cols() const { return static_cast<int>(xs.size()) - 1; }
};

// Candidates in page order (top to bottom); none when `rulings` is empty.
std::vector<TableCandidate> FindTableCandidates(const std::vector<Ruling>& rulings);

}  // namespace docpipe::pdf
