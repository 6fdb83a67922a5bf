#include "pdf/table_detector.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace docpipe::pdf {
namespace {

// Narrower rule stacks are underlines or decorations, not table rules.
constexpr float kMinRuleWidth = 40.0f;

class UnionFind {
 public:
  explicit UnionFind(int n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int Find(int i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void Join(int a, int b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<int> parent_;
};

// Rulings of one direction snapped to common positions, collinear pieces
// joined, short ones dropped.
std::vector<Ruling> MergeRulings(const std::vector<Ruling>& rulings, bool horizontal) {
  std::vector<Ruling> sorted;
  for (const Ruling& r : rulings) {
    if (r.horizontal == horizontal) sorted.push_back(r);
  }
  std::sort(sorted.begin(), sorted.end(), [](const Ruling& a, const Ruling& b) { return a.pos < b.pos; });
  std::vector<Ruling> merged;
  size_t i = 0;
  while (i < sorted.size()) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j].pos - sorted[j - 1].pos <= kSnapTolerance &&
           sorted[j].pos - sorted[i].pos <= 2 * kSnapTolerance) {
      ++j;
    }
    float pos = 0;
    for (size_t k = i; k < j; ++k) pos += sorted[k].pos;
    pos /= static_cast<float>(j - i);
    std::sort(sorted.begin() + i, sorted.begin() + j,
              [](const Ruling& a, const Ruling& b) { return a.lo < b.lo; });
    Ruling run{horizontal, pos, sorted[i].lo, sorted[i].hi};
    for (size_t k = i + 1; k <= j; ++k) {
      if (k < j && sorted[k].lo <= run.hi + kJoinTolerance) {
        run.hi = std::max(run.hi, sorted[k].hi);
        continue;
      }
      if (run.hi - run.lo >= kMinRulingLength) merged.push_back(run);
      if (k < j) run = Ruling{horizontal, pos, sorted[k].lo, sorted[k].hi};
    }
    i = j;
  }
  return merged;
}

bool Touch(const Ruling& h, const Ruling& v) {
  return v.pos >= h.lo - kTouchTolerance && v.pos <= h.hi + kTouchTolerance &&
         h.pos >= v.lo - kTouchTolerance && h.pos <= v.hi + kTouchTolerance;
}

// Sorted positions with those closer than kSnapTolerance merged.
std::vector<float> SnapPositions(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  std::vector<float> out;
  for (float v : values) {
    if (out.empty() || v - out.back() > kSnapTolerance) out.push_back(v);
  }
  return out;
}

// Whether some ruling of `lines` lies at `pos` and covers `mid` along it.
bool Ruled(const std::vector<const Ruling*>& lines, float pos, float mid) {
  return std::any_of(lines.begin(), lines.end(), [&](const Ruling* r) {
    return std::fabs(r->pos - pos) <= kSnapTolerance && r->lo <= mid && r->hi >= mid;
  });
}

// Cells of a grid: neighbouring positions with no ruling between them are one cell.
void FindCells(const std::vector<const Ruling*>& hs, const std::vector<const Ruling*>& vs,
               TableCandidate* grid) {
  const int rows = grid->rows(), cols = grid->cols();
  UnionFind groups(rows * cols);
  for (int r = 0; r < rows; ++r) {
    const float mid_y = 0.5f * (grid->ys[r] + grid->ys[r + 1]);
    for (int c = 0; c < cols; ++c) {
      const float mid_x = 0.5f * (grid->xs[c] + grid->xs[c + 1]);
      if (c + 1 < cols && !Ruled(vs, grid->xs[c + 1], mid_y)) groups.Join(r * cols + c, r * cols + c + 1);
      if (r + 1 < rows && !Ruled(hs, grid->ys[r + 1], mid_x)) groups.Join(r * cols + c, (r + 1) * cols + c);
    }
  }
  std::vector<GridCell> bounds(rows * cols, GridCell{rows, cols, 0, 0});
  for (int p = 0; p < rows * cols; ++p) {
    GridCell& b = bounds[groups.Find(p)];
    const int r = p / cols, c = p % cols;
    b.row0 = std::min(b.row0, r), b.col0 = std::min(b.col0, c);
    b.row1 = std::max(b.row1, r + 1), b.col1 = std::max(b.col1, c + 1);
  }
  grid->owner.assign(rows * cols, -1);
  for (int p = 0; p < rows * cols; ++p) {
    if (grid->owner[p] >= 0) continue;
    // An irregular region (an L of missing rulings) becomes its bounding box.
    const GridCell& b = bounds[groups.Find(p)];
    const int index = static_cast<int>(grid->cells.size());
    grid->cells.push_back(b);
    for (int r = b.row0; r < b.row1; ++r) {
      for (int c = b.col0; c < b.col1; ++c) {
        if (grid->owner[r * cols + c] < 0) grid->owner[r * cols + c] = index;
      }
    }
  }
}

void AddComponent(const std::vector<const Ruling*>& hs, const std::vector<const Ruling*>& vs,
                  std::vector<TableCandidate>* out, std::vector<const Ruling*>* loose) {
  if (vs.empty()) {
    loose->insert(loose->end(), hs.begin(), hs.end());
    return;
  }
  std::vector<float> xs, ys;
  float x0 = 1e9f, x1 = -1e9f, y0 = 1e9f, y1 = -1e9f;
  for (const Ruling* h : hs) ys.push_back(h->pos), x0 = std::min(x0, h->lo), x1 = std::max(x1, h->hi);
  for (const Ruling* v : vs) xs.push_back(v->pos), y0 = std::min(y0, v->lo), y1 = std::max(y1, v->hi);
  xs.push_back(x0), xs.push_back(x1), ys.push_back(y0), ys.push_back(y1);
  TableCandidate grid;
  grid.xs = SnapPositions(xs);
  grid.ys = SnapPositions(ys);
  if (grid.rows() < 1 || grid.cols() < 1) return;
  grid.bbox = BBox{grid.xs.front(), grid.ys.front(), grid.xs.back(), grid.ys.back()};
  if (grid.cols() < 2) {
    // A frame with rules across and none down: columns come from the text.
    if (hs.size() < 2) return;
    grid.kind = TableCandidate::Kind::kRules;
    grid.framed = true;
    grid.rules = grid.ys;
    grid.xs.clear(), grid.ys.clear();
    out->push_back(std::move(grid));
    return;
  }
  if (static_cast<long>(grid.rows()) * grid.cols() > kMaxGridPositions) return;
  FindCells(hs, vs, &grid);
  out->push_back(std::move(grid));
}

// Stacks of full-width horizontal rules with no verticals (booktabs): the
// first rule sets the width; later rules within its extent join the stack.
void AddRuleStacks(std::vector<const Ruling*> loose, std::vector<TableCandidate>* out) {
  std::sort(loose.begin(), loose.end(), [](const Ruling* a, const Ruling* b) { return a->pos < b->pos; });
  std::vector<bool> used(loose.size(), false);
  for (size_t i = 0; i < loose.size(); ++i) {
    const Ruling& top = *loose[i];
    if (used[i] || top.hi - top.lo < kMinRuleWidth) continue;
    TableCandidate stack;
    stack.kind = TableCandidate::Kind::kRules;
    stack.rules.push_back(top.pos);
    float last = top.pos;
    for (size_t j = i + 1; j < loose.size(); ++j) {
      const Ruling& r = *loose[j];
      if (used[j] || r.lo < top.lo - kSnapTolerance || r.hi > top.hi + kSnapTolerance) continue;
      // Partial rules (cmidrule) under a header group columns; only
      // rules about as wide as the top one delimit row bands.
      if (r.hi - r.lo < 0.9f * (top.hi - top.lo)) continue;
      used[j] = true;
      stack.rules.push_back(r.pos);
      last = r.pos;
    }
    if (stack.rules.size() < 2) continue;
    stack.bbox = BBox{top.lo, top.pos, top.hi, last};
    out->push_back(std::move(stack));
  }
}

}  // namespace

std::vector<TableCandidate> FindTableCandidates(const std::vector<Ruling>& rulings) {
  std::vector<TableCandidate> out;
  if (rulings.empty()) return out;
  const std::vector<Ruling> hs = MergeRulings(rulings, true);
  const std::vector<Ruling> vs = MergeRulings(rulings, false);
  const int nh = static_cast<int>(hs.size()), nv = static_cast<int>(vs.size());
  UnionFind components(nh + nv);
  for (int h = 0; h < nh; ++h) {
    for (int v = 0; v < nv; ++v) {
      if (Touch(hs[h], vs[v])) components.Join(h, nh + v);
    }
  }
  std::vector<std::vector<const Ruling*>> comp_h(nh + nv), comp_v(nh + nv);
  for (int h = 0; h < nh; ++h) comp_h[components.Find(h)].push_back(&hs[h]);
  for (int v = 0; v < nv; ++v) comp_v[components.Find(nh + v)].push_back(&vs[v]);
  std::vector<const Ruling*> loose;
  for (int root = 0; root < nh + nv; ++root) {
    if (comp_h[root].empty()) continue;
    AddComponent(comp_h[root], comp_v[root], &out, &loose);
  }
  AddRuleStacks(std::move(loose), &out);
  std::sort(out.begin(), out.end(),
            [](const TableCandidate& a, const TableCandidate& b) { return a.bbox.y0 < b.bbox.y0; });
  return out;
}

}  // namespace docpipe::pdf
