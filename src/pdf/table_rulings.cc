#include "pdf/table_rulings.h"

#include <algorithm>
#include <cmath>

namespace docpipe::pdf {
namespace {

// A segment whose ends differ by at most this much across its direction
// (points) counts as horizontal or vertical.
constexpr float kAxisTolerance = 1.0f;
// A filled path this thin (points) is a rule drawn as a rectangle (LaTeX's
// \hline and booktabs rules are filled rectangles).
constexpr float kThinFill = 2.5f;

struct RulingDevice {
  fz_device super;
  fz_device* target;
  RulingSink* sink;
};

void Add(RulingSink* sink, const Ruling& ruling) {
  if (sink->overflow) return;
  if (static_cast<int>(sink->rulings.size()) >= kMaxRulings) {
    sink->overflow = true;
    sink->rulings.clear();
    return;
  }
  sink->rulings.push_back(ruling);
}

void AddSegment(RulingSink* sink, fz_point a, fz_point b) {
  if (std::fabs(a.y - b.y) <= kAxisTolerance && a.x != b.x) {
    Add(sink, {true, 0.5f * (a.y + b.y), std::min(a.x, b.x), std::max(a.x, b.x)});
  } else if (std::fabs(a.x - b.x) <= kAxisTolerance && a.y != b.y) {
    Add(sink, {false, 0.5f * (a.x + b.x), std::min(a.y, b.y), std::max(a.y, b.y)});
  }
}

// Walks a stroked path in page space; every straight piece is a candidate.
struct StrokeWalk {
  RulingSink* sink;
  fz_matrix ctm;
  fz_point current, start;
};

void WalkMove(fz_context*, void* arg, float x, float y) {
  auto* walk = static_cast<StrokeWalk*>(arg);
  walk->current = walk->start = fz_transform_point(fz_make_point(x, y), walk->ctm);
}
void WalkLine(fz_context*, void* arg, float x, float y) {
  auto* walk = static_cast<StrokeWalk*>(arg);
  const fz_point next = fz_transform_point(fz_make_point(x, y), walk->ctm);
  AddSegment(walk->sink, walk->current, next);
  walk->current = next;
}
void WalkCurve(fz_context*, void* arg, float, float, float, float, float x3, float y3) {
  auto* walk = static_cast<StrokeWalk*>(arg);
  walk->current = fz_transform_point(fz_make_point(x3, y3), walk->ctm);
}
void WalkClose(fz_context*, void* arg) {
  auto* walk = static_cast<StrokeWalk*>(arg);
  AddSegment(walk->sink, walk->current, walk->start);
  walk->current = walk->start;
}

const fz_path_walker kStrokeWalker = {WalkMove, WalkLine, WalkCurve, WalkClose,
                                      nullptr,  nullptr,  nullptr,   nullptr};

// White paint (erasing, or a background) draws no visible rule.
bool IsInvisible(fz_context* ctx, fz_colorspace* colorspace, const float* color, float alpha) {
  if (alpha <= 0.05f) return true;
  if (!colorspace || !color) return false;
  const int n = fz_colorspace_n(ctx, colorspace);
  const bool cmyk = fz_colorspace_type(ctx, colorspace) == FZ_COLORSPACE_CMYK;
  if (!cmyk && fz_colorspace_type(ctx, colorspace) != FZ_COLORSPACE_RGB &&
      fz_colorspace_type(ctx, colorspace) != FZ_COLORSPACE_GRAY) {
    return false;
  }
  for (int i = 0; i < n; ++i) {
    if (cmyk ? color[i] > 0.05f : color[i] < 0.95f) return false;
  }
  return true;
}

// Walks a filled path subpath by subpath: each thin subpath is a rule (one
// path may paint many rules, as cairo and some producers batch them).
struct FillWalk {
  RulingSink* sink;
  fz_matrix ctm;
  fz_rect box;
  bool open;
};

void FlushSubpath(FillWalk* walk) {
  if (!walk->open) return;
  walk->open = false;
  const fz_rect& box = walk->box;
  const float w = box.x1 - box.x0, h = box.y1 - box.y0;
  if (h <= kThinFill && w > h) {
    Add(walk->sink, {true, 0.5f * (box.y0 + box.y1), box.x0, box.x1});
  } else if (w <= kThinFill && h > w) {
    Add(walk->sink, {false, 0.5f * (box.x0 + box.x1), box.y0, box.y1});
  }
}

void Extend(FillWalk* walk, float x, float y) {
  const fz_point p = fz_transform_point(fz_make_point(x, y), walk->ctm);
  if (!walk->open) {
    walk->box = fz_rect{p.x, p.y, p.x, p.y};
    walk->open = true;
    return;
  }
  walk->box.x0 = std::min(walk->box.x0, p.x), walk->box.y0 = std::min(walk->box.y0, p.y);
  walk->box.x1 = std::max(walk->box.x1, p.x), walk->box.y1 = std::max(walk->box.y1, p.y);
}

void FillMove(fz_context*, void* arg, float x, float y) {
  auto* walk = static_cast<FillWalk*>(arg);
  FlushSubpath(walk);
  Extend(walk, x, y);
}
void FillLine(fz_context*, void* arg, float x, float y) { Extend(static_cast<FillWalk*>(arg), x, y); }
void FillCurve(fz_context*, void* arg, float x1, float y1, float x2, float y2, float x3, float y3) {
  auto* walk = static_cast<FillWalk*>(arg);
  Extend(walk, x1, y1), Extend(walk, x2, y2), Extend(walk, x3, y3);
}
void FillClose(fz_context*, void* arg) { FlushSubpath(static_cast<FillWalk*>(arg)); }

const fz_path_walker kFillWalker = {FillMove, FillLine, FillCurve, FillClose,
                                    nullptr,  nullptr,  nullptr,   nullptr};

void FillPath(fz_context* ctx, fz_device* dev, const fz_path* path, int even_odd, fz_matrix ctm,
              fz_colorspace* colorspace, const float* color, float alpha, fz_color_params params) {
  auto* self = reinterpret_cast<RulingDevice*>(dev);
  if (!IsInvisible(ctx, colorspace, color, alpha)) {
    FillWalk walk{self->sink, ctm, {0, 0, 0, 0}, false};
    fz_walk_path(ctx, path, &kFillWalker, &walk);
    FlushSubpath(&walk);
  }
  fz_fill_path(ctx, self->target, path, even_odd, ctm, colorspace, color, alpha, params);
}

void StrokePath(fz_context* ctx, fz_device* dev, const fz_path* path, const fz_stroke_state* stroke,
                fz_matrix ctm, fz_colorspace* colorspace, const float* color, float alpha,
                fz_color_params params) {
  auto* self = reinterpret_cast<RulingDevice*>(dev);
  if (!IsInvisible(ctx, colorspace, color, alpha)) {
    StrokeWalk walk{self->sink, ctm, {0, 0}, {0, 0}};
    fz_walk_path(ctx, path, &kStrokeWalker, &walk);
  }
  fz_stroke_path(ctx, self->target, path, stroke, ctm, colorspace, color, alpha, params);
}

fz_device* Target(fz_device* dev) { return reinterpret_cast<RulingDevice*>(dev)->target; }

void ClipPath(fz_context* ctx, fz_device* dev, const fz_path* path, int even_odd, fz_matrix ctm,
              fz_rect scissor) {
  fz_clip_path(ctx, Target(dev), path, even_odd, ctm, scissor);
}
void ClipStrokePath(fz_context* ctx, fz_device* dev, const fz_path* path, const fz_stroke_state* stroke,
                    fz_matrix ctm, fz_rect scissor) {
  fz_clip_stroke_path(ctx, Target(dev), path, stroke, ctm, scissor);
}
void FillText(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix ctm, fz_colorspace* cs,
              const float* color, float alpha, fz_color_params params) {
  fz_fill_text(ctx, Target(dev), text, ctm, cs, color, alpha, params);
}
void StrokeText(fz_context* ctx, fz_device* dev, const fz_text* text, const fz_stroke_state* stroke,
                fz_matrix ctm, fz_colorspace* cs, const float* color, float alpha, fz_color_params params) {
  fz_stroke_text(ctx, Target(dev), text, stroke, ctm, cs, color, alpha, params);
}
void ClipText(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix ctm, fz_rect scissor) {
  fz_clip_text(ctx, Target(dev), text, ctm, scissor);
}
void ClipStrokeText(fz_context* ctx, fz_device* dev, const fz_text* text, const fz_stroke_state* stroke,
                    fz_matrix ctm, fz_rect scissor) {
  fz_clip_stroke_text(ctx, Target(dev), text, stroke, ctm, scissor);
}
void IgnoreText(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix ctm) {
  fz_ignore_text(ctx, Target(dev), text, ctm);
}
void FillShade(fz_context* ctx, fz_device* dev, fz_shade* shade, fz_matrix ctm, float alpha,
               fz_color_params params) {
  fz_fill_shade(ctx, Target(dev), shade, ctm, alpha, params);
}
void FillImage(fz_context* ctx, fz_device* dev, fz_image* image, fz_matrix ctm, float alpha,
               fz_color_params params) {
  fz_fill_image(ctx, Target(dev), image, ctm, alpha, params);
}
void FillImageMask(fz_context* ctx, fz_device* dev, fz_image* image, fz_matrix ctm, fz_colorspace* cs,
                   const float* color, float alpha, fz_color_params params) {
  fz_fill_image_mask(ctx, Target(dev), image, ctm, cs, color, alpha, params);
}
void ClipImageMask(fz_context* ctx, fz_device* dev, fz_image* image, fz_matrix ctm, fz_rect scissor) {
  fz_clip_image_mask(ctx, Target(dev), image, ctm, scissor);
}
void PopClip(fz_context* ctx, fz_device* dev) { fz_pop_clip(ctx, Target(dev)); }
void BeginMask(fz_context* ctx, fz_device* dev, fz_rect area, int luminosity, fz_colorspace* cs,
               const float* bc, fz_color_params params) {
  fz_begin_mask(ctx, Target(dev), area, luminosity, cs, bc, params);
}
void EndMask(fz_context* ctx, fz_device* dev) { fz_end_mask(ctx, Target(dev)); }
void BeginGroup(fz_context* ctx, fz_device* dev, fz_rect area, fz_colorspace* cs, int isolated, int knockout,
                int blendmode, float alpha) {
  fz_begin_group(ctx, Target(dev), area, cs, isolated, knockout, blendmode, alpha);
}
void EndGroup(fz_context* ctx, fz_device* dev) { fz_end_group(ctx, Target(dev)); }
int BeginTile(fz_context* ctx, fz_device* dev, fz_rect area, fz_rect view, float xstep, float ystep,
              fz_matrix ctm, int id) {
  return fz_begin_tile_id(ctx, Target(dev), area, view, xstep, ystep, ctm, id);
}
void EndTile(fz_context* ctx, fz_device* dev) { fz_end_tile(ctx, Target(dev)); }
void RenderFlags(fz_context* ctx, fz_device* dev, int set, int clear) {
  fz_render_flags(ctx, Target(dev), set, clear);
}
void SetDefaultColorspaces(fz_context* ctx, fz_device* dev, fz_default_colorspaces* spaces) {
  fz_set_default_colorspaces(ctx, Target(dev), spaces);
}
void BeginLayer(fz_context* ctx, fz_device* dev, const char* name) { fz_begin_layer(ctx, Target(dev), name); }
void EndLayer(fz_context* ctx, fz_device* dev) { fz_end_layer(ctx, Target(dev)); }

}  // namespace

fz_device* NewRulingDevice(fz_context* ctx, fz_device* target, RulingSink* sink) {
  RulingDevice* device = fz_new_derived_device(ctx, RulingDevice);
  device->target = target;
  device->sink = sink;
  fz_device* dev = &device->super;
  dev->hints = target->hints;
  dev->flags = target->flags;
  dev->fill_path = FillPath;
  dev->stroke_path = StrokePath;
  dev->clip_path = ClipPath;
  dev->clip_stroke_path = ClipStrokePath;
  dev->fill_text = FillText;
  dev->stroke_text = StrokeText;
  dev->clip_text = ClipText;
  dev->clip_stroke_text = ClipStrokeText;
  dev->ignore_text = IgnoreText;
  dev->fill_shade = FillShade;
  dev->fill_image = FillImage;
  dev->fill_image_mask = FillImageMask;
  dev->clip_image_mask = ClipImageMask;
  dev->pop_clip = PopClip;
  dev->begin_mask = BeginMask;
  dev->end_mask = EndMask;
  dev->begin_group = BeginGroup;
  dev->end_group = EndGroup;
  dev->begin_tile = BeginTile;
  dev->end_tile = EndTile;
  dev->render_flags = RenderFlags;
  dev->set_default_colorspaces = SetDefaultColorspaces;
  dev->begin_layer = BeginLayer;
  dev->end_layer = EndLayer;
  return dev;
}

}  // namespace docpipe::pdf
