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

// Makes `pages` the root's only kids. The new array holds its own references
// to the pages before the old kids are let go.
void TryFlatten(fz_context* ctx, pdf_document* doc, pdf_obj* root, pdf_obj* const* pages, int n,
                CaughtError* error) {
  pdf_obj* kids = nullptr;
  fz_var(kids);
  fz_try(ctx) {
    kids = pdf_new_array(ctx, doc, n > 0 ? n : 1);
    for (int i = 0; i < n; ++i) pdf_array_push(ctx, kids, pages[i]);
    pdf_dict_put(ctx, root, PDF_NAME(Kids), kids);
    pdf_dict_put_int(ctx, root, PDF_NAME(Count), n);
  }
  fz_always(ctx) { pdf_drop_obj(ctx, kids); }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryLoadPageMap(fz_context* ctx, pdf_document* doc, CaughtError* error) {
  fz_try(ctx) { pdf_load_page_tree(ctx, doc); }
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
  if (!problem.empty()) {
    TryFlatten(ctx, pdf, root.ref, walk.pages().data(), tree.pages, &error);
    if (error.code != 0) {
      return Status::Corrupt(fmt::format("broken page tree ({}) that cannot be repaired: {}", problem, error.message));
    }
    tree.problem = fmt::format("broken page tree ({}): read as {} pages", problem, tree.pages);
  }
  // A tree MuPDF's page map refuses (a page without /Type /Page) is still
  // readable, a page at a time from the root: slower, and bounded by the page
  // limit and the document's time budget.
  TryLoadPageMap(ctx, pdf, &error);
  if (error.code == 0) doc.get_deleter().page_map = true;
  return tree;
}

}  // namespace docpipe::pdf
