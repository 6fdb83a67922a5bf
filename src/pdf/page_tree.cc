#include "pdf/page_tree.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <mupdf/pdf.h>

namespace docpipe::pdf {
namespace {

// One node of the tree as MuPDF would read it. Trivially destructible: filled
// inside fz_try.
struct Node {
  pdf_obj* ref = nullptr;  // borrowed from its parent's /Kids (or the catalog)
  int num = 0;             // object number; 0 for a direct object
  bool is_dict = false;
  bool intermediate = false;  // a /Pages node rather than a page
  int kids = 0;               // intermediate: entries in /Kids
  int count = 0;              // intermediate: what its /Count claims
};

// Call inside fz_try only: the pdf_ calls may throw.
void Describe(fz_context* ctx, pdf_obj* obj, bool root, Node* node) {
  node->ref = obj;
  node->num = pdf_to_num(ctx, obj);
  node->is_dict = pdf_is_dict(ctx, obj);
  if (!node->is_dict) return;
  pdf_obj* type = pdf_dict_get(ctx, obj, PDF_NAME(Type));
  pdf_obj* kids = pdf_dict_get(ctx, obj, PDF_NAME(Kids));
  // The same test as MuPDF's own page lookup (pdf_lookup_page_loc).
  node->intermediate = root || (type ? pdf_name_eq(ctx, type, PDF_NAME(Pages))
                                     : kids && !pdf_dict_get(ctx, obj, PDF_NAME(MediaBox)));
  if (!node->intermediate) return;
  node->kids = pdf_array_len(ctx, kids);
  node->count = pdf_dict_get_int(ctx, obj, PDF_NAME(Count));
}

void TryRoot(fz_context* ctx, pdf_document* doc, Node* root, CaughtError* error) {
  fz_try(ctx) { Describe(ctx, pdf_dict_getp(ctx, pdf_trailer(ctx, doc), "Root/Pages"), true, root); }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryReadKids(fz_context* ctx, pdf_obj* node, Node* kids, int n, CaughtError* error) {
  fz_try(ctx) {
    pdf_obj* array = pdf_dict_get(ctx, node, PDF_NAME(Kids));
    for (int i = 0; i < n; ++i) Describe(ctx, pdf_array_get(ctx, array, i), false, &kids[i]);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

// Pages under each new /Pages node when the root's kids are rebuilt: MuPDF
// finds page i by walking /Kids with /Count, so a flat list of N pages costs
// O(N) a lookup and reading them all O(N^2); groups of this size (nested as
// deep as needed) keep every lookup to a few hundred steps.
constexpr int kGroupSize = 32;

// Rebuilds the root's kids as a tree of new, direct /Pages nodes over
// `pages` in order. The pages keep their own /Parent, so what they inherit
// (media box, resources) does not change. `nodes` is scratch space owned by
// the caller (no C++ object may be built inside fz_try): it holds at least
// 2 * n + 1 entries. Each new node is held by its parent's /Kids only.
void TryRebuild(fz_context* ctx, pdf_document* doc, pdf_obj* root, pdf_obj* const* pages, int n,
                pdf_obj** nodes, int* counts, CaughtError* error) {
  pdf_obj* kids = nullptr;
  pdf_obj* node = nullptr;
  fz_var(kids);
  fz_var(node);
  fz_try(ctx) {
    // Level 0 is the pages themselves (borrowed); each level above groups the one below.
    int level_size = n;
    pdf_obj** level = nodes;
    int* level_counts = counts;
    for (int i = 0; i < n; ++i) {
      level[i] = pages[i];
      level_counts[i] = 1;
    }
    bool borrowed = true;
    while (level_size > kGroupSize) {
      pdf_obj** next = level + level_size;
      int* next_counts = level_counts + level_size;
      const int groups = (level_size + kGroupSize - 1) / kGroupSize;
      for (int g = 0; g < groups; ++g) {
        const int first = g * kGroupSize;
        const int last = first + kGroupSize < level_size ? first + kGroupSize : level_size;
        int count = 0;
        kids = pdf_new_array(ctx, doc, last - first);
        for (int i = first; i < last; ++i) {
          pdf_array_push(ctx, kids, level[i]);
          count += level_counts[i];
        }
        node = pdf_new_dict(ctx, doc, 4);
        pdf_dict_put(ctx, node, PDF_NAME(Type), PDF_NAME(Pages));
        pdf_dict_put(ctx, node, PDF_NAME(Kids), kids);
        pdf_dict_put_int(ctx, node, PDF_NAME(Count), count);
        pdf_drop_obj(ctx, kids);
        kids = nullptr;
        next[g] = node;
        next_counts[g] = count;
        node = nullptr;
      }
      // The nodes of the level below now live in these groups' /Kids.
      if (!borrowed) {
        for (int i = 0; i < level_size; ++i) pdf_drop_obj(ctx, level[i]);
      }
      borrowed = false;
      level = next;
      level_counts = next_counts;
      level_size = groups;
    }
    kids = pdf_new_array(ctx, doc, level_size > 0 ? level_size : 1);
    for (int i = 0; i < level_size; ++i) pdf_array_push(ctx, kids, level[i]);
    if (!borrowed) {
      for (int i = 0; i < level_size; ++i) pdf_drop_obj(ctx, level[i]);
    }
    pdf_dict_put(ctx, root, PDF_NAME(Kids), kids);
    pdf_dict_put_int(ctx, root, PDF_NAME(Count), n);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, kids);
    pdf_drop_obj(ctx, node);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

// The depth-first walk, with an explicit stack: a tree nested 100,000 deep
// must not overflow the thread's stack.
class TreeWalk {
 public:
  TreeWalk(fz_context* ctx, int limit) : ctx_(ctx), limit_(limit) {}

  Status Run(const Node& root) {
    DOCPIPE_RETURN_IF_ERROR(Enter(root));
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.next == top.kids.size()) {
        Leave();
        continue;
      }
      const Node kid = top.kids[top.next++];
      if (!kid.is_dict) {
        Note(fmt::format("kid {} of object {} is not a dictionary", top.next, top.node.num));
      } else if (!kid.intermediate) {
        if (pages_.size() >= static_cast<size_t>(limit_)) return TooMany();
        pages_.push_back(kid.ref);
      } else if (kid.num != 0 && on_path_.count(kid.num) > 0) {
        Note(fmt::format("object {} is its own ancestor", kid.num));
      } else {
        if (stack_.size() >= static_cast<size_t>(kMaxPageTreeDepth)) {
          Note(fmt::format("nested deeper than {} levels", kMaxPageTreeDepth));
        }
        DOCPIPE_RETURN_IF_ERROR(Enter(kid));
      }
    }
    return Status::Ok();
  }

  const std::vector<pdf_obj*>& pages() const { return pages_; }
  // Empty when the tree is sound.
  std::string Problem(const Node& root) const {
    if (root.count != static_cast<int64_t>(pages_.size())) {
      return fmt::format("/Count says {} pages, the tree holds {}", root.count, pages_.size());
    }
    return first_problem_;
  }

 private:
  struct Frame {
    Node node;
    std::vector<Node> kids;
    size_t next = 0;
    size_t pages_before = 0;
  };

  Status Enter(const Node& node) {
    std::vector<Node> kids(static_cast<size_t>(std::max(node.kids, 0)));
    CaughtError error;
    TryReadKids(ctx_, node.ref, kids.data(), static_cast<int>(kids.size()), &error);
    if (error.code != 0) return Status::Corrupt(std::string("cannot read the page tree: ") + error.message);
    if (node.num != 0) on_path_.insert(node.num);
    stack_.push_back(Frame{node, std::move(kids), 0, pages_.size()});
    return Status::Ok();
  }

  void Leave() {
    const Frame& done = stack_.back();
    if (stack_.size() > 1 && static_cast<size_t>(std::max(done.node.count, 0)) != pages_.size() - done.pages_before) {
      Note(fmt::format("the /Count of object {} says {} pages, it holds {}", done.node.num, done.node.count,
                       pages_.size() - done.pages_before));
    }
    on_path_.erase(done.node.num);
    stack_.pop_back();
  }

  void Note(std::string problem) {
    if (first_problem_.empty()) first_problem_ = std::move(problem);
  }

  Status TooMany() const {
    return Status::ResourceExhausted(
        fmt::format("the PDF has more than {} pages, the most a document may have (--max-pages)", limit_));
  }

  fz_context* ctx_;
  int limit_;
  std::vector<Frame> stack_;
  std::unordered_set<int> on_path_;
  std::vector<pdf_obj*> pages_;
  std::string first_problem_;
};

Result<PageTree> CountOtherFormat(fz_context* ctx, fz_document* doc, int limit) {
  DOCPIPE_ASSIGN_OR_RETURN(int pages, CountPages(ctx, doc));
  if (pages > limit) {
    return Status::ResourceExhausted(
        fmt::format("the document has {} pages, more than the {} a document may have (--max-pages)", pages, limit));
  }
  return PageTree{pages, {}};
}

}  // namespace

Result<PageTree> PreparePageTree(fz_context* ctx, DocumentPtr& doc, int max_pages) {
  const int limit = max_pages > 0 ? std::min(max_pages, kMaxPageTreePages) : kMaxPageTreePages;
  pdf_document* pdf = pdf_specifics(ctx, doc.get());
  if (pdf == nullptr) return CountOtherFormat(ctx, doc.get(), limit);
  Node root;
  CaughtError error;
  TryRoot(ctx, pdf, &root, &error);
  if (error.code != 0) return Status::Corrupt(std::string("cannot read the page tree: ") + error.message);
  if (!root.is_dict) return PageTree{};
  TreeWalk walk(ctx, limit);
  DOCPIPE_RETURN_IF_ERROR(walk.Run(root));
  PageTree tree;
  tree.pages = static_cast<int>(walk.pages().size());
  const std::string problem = walk.Problem(root);
  // A broken tree is rebuilt from the pages it really holds; a large one too,
  // so that looking its pages up stays linear overall. (MuPDF 1.21's own page
  // map would do that, but leaks a reference per lookup.)
  if (!problem.empty() || tree.pages > kGroupSize * kGroupSize) {
    std::vector<pdf_obj*> nodes(2 * static_cast<size_t>(tree.pages) + 1);
    std::vector<int> counts(nodes.size());
    TryRebuild(ctx, pdf, root.ref, walk.pages().data(), tree.pages, nodes.data(), counts.data(), &error);
    if (error.code != 0) {
      return Status::Corrupt(fmt::format("broken page tree ({}) that cannot be repaired: {}",
                                         problem.empty() ? "too large to look up" : problem, error.message));
    }
  }
  if (!problem.empty()) tree.problem = fmt::format("broken page tree ({}): read as {} pages", problem, tree.pages);
  return tree;
}

}  // namespace docpipe::pdf
