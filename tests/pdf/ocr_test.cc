// Scanned and mixed PDFs through MuPDF rendering and Tesseract: character
// error rates against the text the fixtures drew, page kinds, orientation,
// and the bad inputs (odd image encodings, blank, huge, damaged pages).
#include <gtest/gtest.h>

#include <algorithm>

#include "docpipe/ocr.h"
#include "docpipe/pdf.h"
#include "docpipe/render.h"
#include "ocr/script_coverage.h"
#include "pdf/scanned_page.h"
#include "pdf_test_support.h"
#include "scan_test_support.h"

namespace docpipe {
namespace {

using scan_test::ScanPdf;
using scan_test::ScanTruth;
using scan_test::Words;
using scan_test::PageText;
using scan_test::CharacterErrorRate;

std::shared_ptr<const PdfEngine> Engine(OcrMode mode = OcrMode::kAuto, float min_word_confidence = 0.3f) {
  OcrOptions ocr;
  ocr.mode = mode;
  ocr.min_word_confidence = min_word_confidence;
  auto engine = PdfEngine::Make(ocr);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? *engine : nullptr;
}

Document Convert(const std::string& path, OcrMode mode = OcrMode::kAuto, int workers = 1, double timeout = 60) {
  PdfOptions options;
  options.page_timeout_seconds = timeout;
  Result<Document> document = ConvertPdfParallel(Engine(mode), path, options, workers);
  EXPECT_TRUE(document.ok()) << document.status().ToString();
  return document.ok() ? std::move(document).value() : Document{};
}

// `min_word_confidence`: the floor, which scanned pages do not apply (they
// keep every word, as Tesseract's own output does).
void ExpectCerAtMost(const std::string& name, double limit, float min_word_confidence = 0.3f) {
  Result<Document> converted =
      ConvertPdfParallel(Engine(OcrMode::kAuto, min_word_confidence), ScanPdf(name), PdfOptions{}, 1);
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  const Document& document = *converted;
  const nlohmann::json truth = ScanTruth(name);
  ASSERT_EQ(document.pages.size(), truth["pages"].size());
  EXPECT_EQ(document.kind, DocumentKind::kScanned);
  for (size_t i = 0; i < document.pages.size(); ++i) {
    const Page& page = document.pages[i];
    const std::string expected = Words(truth["pages"][i]["text"].get<std::string>());
    const std::string read = PageText(page);
    EXPECT_LE(CharacterErrorRate(expected, read), limit) << name << " page " << i + 1 << "\nread: " << read;
    EXPECT_EQ(page.kind, PageKind::kScanned);
    EXPECT_TRUE(page.needs_ocr);
    EXPECT_TRUE(page.error.empty()) << page.error;
    EXPECT_GT(page.ocr_confidence, 0.5f);
    for (const Block& block : page.blocks) EXPECT_EQ(block.source, TextSource::kOcr);
    EXPECT_TRUE(page.low_confidence_words.empty());
    EXPECT_EQ(page.ocr_counts.words_dropped, 0);
  }
}

TEST(OcrTest, CleanScansReadWithAtMostTwoPercentCharacterErrors) { ExpectCerAtMost("scan_clean", 0.02); }

// Noise, blur, a skewed page and a page turned 90 degrees (recovered by OSD),
// read with a confidence floor above most of their words: kept all the same.
TEST(OcrTest, DegradedAndRotatedScansReadWithAtMostFivePercentCharacterErrors) {
  ExpectCerAtMost("scan_degraded", 0.05, 0.97f);
}

TEST(OcrTest, JpegCcittAndJbig2ImagesAreRecognised) {
  ExpectCerAtMost("scan_jpeg", 0.02);
  ExpectCerAtMost("scan_ccitt", 0.05);
  ExpectCerAtMost("scan_jbig2", 0.05);
}

TEST(OcrTest, HeadingsAreGuessedFromLineHeight) {
  const Document document = Convert(ScanPdf("scan_clean"));
  ASSERT_FALSE(document.pages.empty());
  ASSERT_FALSE(document.pages[0].blocks.empty());
  const Block& first = document.pages[0].blocks[0];
  EXPECT_EQ(first.type, BlockType::kHeading);
  const std::string heading = ScanTruth("scan_clean")["pages"][0]["text"].get<std::string>();
  EXPECT_EQ(first.text, heading.substr(0, heading.find('\n')));
  EXPECT_EQ(document.pages[0].blocks[1].type, BlockType::kParagraph);
}

TEST(OcrTest, PagesSpreadOverWorkersComeBackInOrderAndIdentical) {
  const Document one = Convert(ScanPdf("scan_clean"), OcrMode::kAuto, 1);
  const Document two = Convert(ScanPdf("scan_clean"), OcrMode::kAuto, 2);
  pdf_test::ExpectSameBlocks(one, two);
}

TEST(OcrTest, MixedDocumentKeepsTextLayersAndRecognisesTheScan) {
  const Document document = Convert(pdf_test::CorpusPdf("mixed_ocr"));
  ASSERT_EQ(document.pages.size(), 3u);
  EXPECT_EQ(document.kind, DocumentKind::kMixed);
  for (int p : {0, 2}) {
    EXPECT_EQ(document.pages[p].kind, PageKind::kDigital);
    for (const Block& block : document.pages[p].blocks) EXPECT_EQ(block.source, TextSource::kDigital);
  }
  const Page& scan = document.pages[1];
  EXPECT_EQ(scan.kind, PageKind::kScanned);
  ASSERT_FALSE(scan.blocks.empty());
  EXPECT_EQ(scan.blocks[0].text, "Scanned Letter");
  EXPECT_NE(PageText(scan).find("The quick brown fox jumps over the lazy dog."), std::string::npos);
  for (const Block& block : scan.blocks) {
    EXPECT_EQ(block.source, TextSource::kOcr);
    EXPECT_EQ(block.page, 2);
  }
  EXPECT_EQ(document.pages[2].blocks[0].text, "After the Scan");
}

TEST(OcrTest, NeverOnlyMarksPagesThatNeedOcr) {
  const Document document = Convert(ScanPdf("scan_clean"), OcrMode::kNever);
  for (const Page& page : document.pages) {
    EXPECT_TRUE(page.needs_ocr);
    EXPECT_TRUE(page.blocks.empty());
    EXPECT_EQ(page.ocr_confidence, -1.0f);
  }
}

TEST(OcrTest, ExistingOcrLayerIsUsedUnlessAlwaysRedoesIt) {
  const std::string marker = ScanTruth("scan_ocr_layer")["pages"][0]["layer_marker"];
  const Document kept = Convert(ScanPdf("scan_ocr_layer"), OcrMode::kAuto);
  ASSERT_EQ(kept.pages.size(), 1u);
  EXPECT_EQ(kept.pages[0].kind, PageKind::kScanned);
  EXPECT_FALSE(kept.pages[0].needs_ocr);
  EXPECT_NE(PageText(kept.pages[0]).find(marker), std::string::npos);
  const Document redone = Convert(ScanPdf("scan_ocr_layer"), OcrMode::kAlways);
  ASSERT_EQ(redone.pages.size(), 1u);
  EXPECT_EQ(PageText(redone.pages[0]).find(marker), std::string::npos);
  const std::string truth = Words(ScanTruth("scan_ocr_layer")["pages"][0]["text"].get<std::string>());
  EXPECT_LE(CharacterErrorRate(truth, PageText(redone.pages[0])), 0.02);
}

TEST(OcrTest, PictureWithCaptionIsMixedAndItsWordsAreAddedOnce) {
  const Document document = Convert(ScanPdf("scan_caption"));
  ASSERT_EQ(document.pages.size(), 1u);
  const Page& page = document.pages[0];
  EXPECT_EQ(page.kind, PageKind::kMixed);
  EXPECT_FALSE(page.needs_ocr);
  const std::string text = PageText(page);
  const std::string picture = ScanTruth("scan_caption")["pages"][0]["picture"];
  EXPECT_NE(text.find(picture), std::string::npos) << text;
  const std::string caption = "Figure 1: Shipments by warehouse";
  const size_t first = text.find(caption);
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find(caption, first + 1), std::string::npos) << "caption read twice: " << text;
  int ocr_blocks = 0;
  for (const Block& block : page.blocks) ocr_blocks += block.source == TextSource::kOcr;
  EXPECT_GT(ocr_blocks, 0);
}

void ExpectScreenshotRead(const Page& page, const nlohmann::json& truth) {
  const std::string text = PageText(page);
  for (const auto& line : truth["screenshot"]) {
    const std::string expected = line.get<std::string>();
    EXPECT_NE(text.find(expected.substr(expected.size() / 2)), std::string::npos)
        << expected << "\nread: " << text;
  }
  EXPECT_GT(page.ocr_confidence, 0.5f);
  EXPECT_EQ(page.ocr_counts.pictures_read, 1);
  EXPECT_EQ(page.ocr_counts.pictures_not_text, 0);
}

TEST(OcrTest, OnlyPicturesThatHoldTextAreRecognised) {
  const Document document = Convert(ScanPdf("scan_figures"));
  ASSERT_EQ(document.pages.size(), 3u);
  const nlohmann::json truth = ScanTruth("scan_figures");
  for (size_t i = 0; i < document.pages.size(); ++i) {
    EXPECT_EQ(document.pages[i].kind, PageKind::kMixed);
    EXPECT_NE(PageText(document.pages[i]).find(truth["pages"][i]["text"].get<std::string>()), std::string::npos)
        << PageText(document.pages[i]);
  }
  // A photo and a diagram with two one-word labels: not read at all.
  for (const Block& block : document.pages[0].blocks) {
    EXPECT_EQ(block.source, TextSource::kDigital) << block.text;
  }
  EXPECT_EQ(document.pages[0].ocr_confidence, -1.0f);
  EXPECT_EQ(document.pages[0].ocr_counts.pictures_not_text, 2);
  EXPECT_EQ(document.pages[0].ocr_counts.pictures_read, 0);
  // A screenshot of a terminal, and one at a screen's 96 dpi (read at its
  // own resolution it loses "/index"): read, on the picture only.
  for (size_t i = 1; i < document.pages.size(); ++i) {
    ExpectScreenshotRead(document.pages[i], truth["pages"][i]);
    for (const Block& block : document.pages[i].blocks) {
      if (block.source != TextSource::kOcr) continue;
      EXPECT_TRUE(block.bbox.x0 >= 71 && block.bbox.x1 <= 524 && block.bbox.y0 >= 842 - 621 &&
                  block.bbox.y1 <= 842 - 499)
          << "page " << i + 1 << " " << block.text << " off the picture";
    }
  }
}

// Pictures are drawn for their tests at their own resolution, and for
// recognition larger only when their glyphs are small: at most twice, never
// above the OCR dpi.
TEST(OcrTest, PicturesAreDrawnAtTheirOwnResolutionAndSmallTypeAtMostTwiceIt) {
  constexpr float kPerInch = 1.0f / 72;
  const pdf::PageImage screen{BBox{72, 100, 523, 210}, 96};
  const float test = pdf::PictureTestScale(screen, 300);
  EXPECT_FLOAT_EQ(test, 96 * kPerInch);
  EXPECT_FLOAT_EQ(pdf::PictureReadScale(screen, 300, test, 16), test);        // large type: as drawn
  EXPECT_FLOAT_EQ(pdf::PictureReadScale(screen, 300, test, 8), 1.5f * test);  // up to 12 pixels
  EXPECT_FLOAT_EQ(pdf::PictureReadScale(screen, 300, test, 3), 2 * test);     // at most twice
  EXPECT_FLOAT_EQ(pdf::PictureReadScale(screen, 150, test, 3), 150 * kPerInch);
  EXPECT_FLOAT_EQ(pdf::PictureReadScale(screen, 300, test, 0), test);  // no glyphs found
  // A fine scan is drawn at the OCR dpi; a picture of unknown resolution too.
  EXPECT_FLOAT_EQ(pdf::PictureTestScale({BBox{0, 0, 300, 300}, 600}, 300), 300 * kPerInch);
  EXPECT_FLOAT_EQ(pdf::PictureTestScale({BBox{0, 0, 300, 300}, 0}, 300), 300 * kPerInch);
  EXPECT_FLOAT_EQ(pdf::PictureTestScale({BBox{0, 0, 300, 300}, 20}, 300), pdf::kMinPictureDpi * kPerInch);
}

// Chinese with only "eng" loaded: a scanned page and a picture on a digital
// page, neither turned into garbage, both reported.
TEST(OcrTest, TextInAScriptTheLanguagesDoNotReadIsSkippedAndReported) {
  const Document document = Convert(ScanPdf("scan_cjk"));
  ASSERT_EQ(document.pages.size(), 2u);
  const Page& scanned = document.pages[0];
  EXPECT_TRUE(scanned.blocks.empty()) << PageText(scanned);
  EXPECT_TRUE(scanned.ocr_unread_script == "Han" || scanned.ocr_unread_script == "Japanese")
      << scanned.ocr_unread_script;
  EXPECT_TRUE(scanned.error.empty()) << scanned.error;
  EXPECT_NE(RenderMarkdown(document).find("<!-- page 1: not recognised: its script ("), std::string::npos)
      << RenderMarkdown(document);
  const Page& digital = document.pages[1];
  EXPECT_EQ(digital.ocr_counts.pictures_other_script, 1);
  EXPECT_EQ(digital.ocr_counts.pictures_not_text, 1);  // the photo
  EXPECT_EQ(digital.ocr_counts.pictures_read, 0);
  EXPECT_NE(PageText(digital).find(ScanTruth("scan_cjk")["pages"][1]["text"].get<std::string>()), std::string::npos);
  for (const Block& block : digital.blocks) EXPECT_EQ(block.source, TextSource::kDigital) << block.text;
}

TEST(OcrTest, LanguagesReadTheirScriptsOnly) {
  EXPECT_TRUE(ocr::LanguagesReadScript("eng", "Latin"));
  EXPECT_FALSE(ocr::LanguagesReadScript("eng", "Han"));
  EXPECT_FALSE(ocr::LanguagesReadScript("eng+deu", "Cyrillic"));
  EXPECT_TRUE(ocr::LanguagesReadScript("eng+rus", "Cyrillic"));
  EXPECT_TRUE(ocr::LanguagesReadScript("eng+chi_sim", "Japanese"));  // OSD mixes Han and Japanese up
  EXPECT_TRUE(ocr::LanguagesReadScript("script/HanS", "Han"));
  EXPECT_FALSE(ocr::LanguagesReadScript("script/Latin", "Arabic"));
  EXPECT_TRUE(ocr::LanguagesReadScript("eng", "Fraktur"));  // a script the table does not know: read
}

// The floor leaves words read on pictures out of the text and lists them with
// their boxes: none at 0, some at 0.97, each on its picture.
TEST(OcrTest, WordsBelowTheConfidenceFloorAreListedOutsideTheText) {
  const auto read = [](float floor, int* dropped) {
    OcrOptions ocr;
    ocr.min_word_confidence = floor;
    Result<std::shared_ptr<const PdfEngine>> engine = PdfEngine::Make(ocr);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    if (!engine.ok()) return std::string();
    Result<Document> document = ConvertPdfParallel(*engine, ScanPdf("scan_figures"), PdfOptions{}, 1);
    EXPECT_TRUE(document.ok()) << document.status().ToString();
    if (!document.ok()) return std::string();
    std::string text;
    *dropped = 0;
    for (const Page& page : document->pages) {
      text += PageText(page) + " ";
      *dropped += page.ocr_counts.words_dropped;
      EXPECT_EQ(page.low_confidence_words.size(), static_cast<size_t>(page.ocr_counts.words_dropped));
      for (const OcrWord& word : page.low_confidence_words) {
        EXPECT_FALSE(word.text.empty());
        EXPECT_LT(word.confidence, floor);
        // In the page's points (not the picture's pixels): the centre is on the picture.
        const float cx = (word.bbox.x0 + word.bbox.x1) / 2, cy = (word.bbox.y0 + word.bbox.y1) / 2;
        EXPECT_TRUE(word.bbox.x0 < word.bbox.x1 && cx > 72 && cx < 523) << word.text;
        EXPECT_TRUE(word.bbox.y0 < word.bbox.y1 && cy > 842 - 620 && cy < 842 - 500) << word.text;
      }
    }
    return text;
  };
  int none = -1, some = -1;
  const std::string all = read(0.0f, &none);
  const std::string kept = read(0.97f, &some);
  EXPECT_EQ(none, 0);
  EXPECT_GT(some, 0);
  const auto count = [](const std::string& text) { return std::count(text.begin(), text.end(), ' '); };
  EXPECT_LT(count(kept), count(all));
}

TEST(OcrTest, BlankPagesGiveNoTextAndNoError) {
  const Document document = Convert(ScanPdf("scan_blank"));
  ASSERT_EQ(document.pages.size(), 2u);
  EXPECT_EQ(document.pages[0].kind, PageKind::kScanned);
  EXPECT_EQ(document.pages[1].kind, PageKind::kEmpty);
  for (const Page& page : document.pages) {
    EXPECT_TRUE(page.blocks.empty());
    EXPECT_TRUE(page.error.empty()) << page.error;
  }
}

TEST(OcrTest, HugePageIsDrawnWithinThePixelBudgetAndRead) {
  const float scale = pdf::OcrScale(2000, 20000, 300);
  EXPECT_LE(2000.0 * scale * 20000.0 * scale, pdf::kMaxOcrPixels * 1.001);
  EXPECT_LE(20000 * scale, pdf::kMaxOcrSide + 1);
  EXPECT_FLOAT_EQ(pdf::OcrScale(595, 842, 300), 300.0f / 72.0f);
  const Document document = Convert(ScanPdf("scan_huge"));
  ASSERT_EQ(document.pages.size(), 1u);
  EXPECT_TRUE(document.pages[0].error.empty()) << document.pages[0].error;
  EXPECT_NE(PageText(document.pages[0]).find("MEMORY STAYS BOUNDED"), std::string::npos)
      << PageText(document.pages[0]);
}

TEST(OcrTest, DamagedImageFailsItsPageAloneWithAReason) {
  const Document document = Convert(ScanPdf("scan_corrupt_image"));
  ASSERT_EQ(document.pages.size(), 2u);
  EXPECT_NE(document.pages[0].error.find("damaged image"), std::string::npos) << document.pages[0].error;
  EXPECT_TRUE(document.pages[0].blocks.empty());
  EXPECT_TRUE(document.pages[1].error.empty()) << document.pages[1].error;
  const std::string truth = Words(ScanTruth("scan_corrupt_image")["pages"][1]["text"].get<std::string>());
  EXPECT_LE(CharacterErrorRate(truth, PageText(document.pages[1])), 0.02);
}

TEST(OcrTest, PagePastItsBudgetIsKeptWithoutTextAndListed) {
  const Document document = Convert(ScanPdf("scan_clean"), OcrMode::kAuto, 1, 0.02);
  ASSERT_EQ(document.pages.size(), 2u);
  for (const Page& page : document.pages) {
    EXPECT_EQ(page.error.rfind("timeout", 0), 0u) << page.error;
    EXPECT_TRUE(page.blocks.empty());
  }
}

TEST(OcrTest, MissingLanguageIsOneErrorAtStartUp) {
  OcrOptions ocr;
  ocr.languages = "eng+qqq";
  Result<std::shared_ptr<const PdfEngine>> engine = PdfEngine::Make(ocr);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kNotFound);
  EXPECT_NE(engine.status().message().find("qqq"), std::string::npos);
  ocr.languages = "eng+";
  EXPECT_EQ(PdfEngine::Make(ocr).status().code(), StatusCode::kInvalidArgument);
  ocr.languages = "eng";
  ocr.mode = OcrMode::kNever;
  ocr.languages = "qqq";
  EXPECT_TRUE(PdfEngine::Make(ocr).ok()) << "no OCR, no language check";
}

TEST(OcrTest, RotateClockwiseTurnsPixels) {
  GrayImage image;
  image.width = 3, image.height = 2, image.stride = 4;
  image.pixels = {1, 2, 3, 0, 4, 5, 6, 0};  // rows "1 2 3" and "4 5 6", one byte of padding each
  const GrayImage turned = RotateClockwise(image, 90);
  ASSERT_EQ(turned.width, 2);
  ASSERT_EQ(turned.height, 3);
  EXPECT_EQ(turned.pixels, (std::vector<uint8_t>{4, 1, 5, 2, 6, 3}));
  EXPECT_EQ(RotateClockwise(image, 180).pixels, (std::vector<uint8_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(RotateClockwise(RotateClockwise(image, 90), 270).pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(OcrTest, OcrModesParse) {
  EXPECT_EQ(*ParseOcrMode("always"), OcrMode::kAlways);
  EXPECT_EQ(*ParseOcrMode("never"), OcrMode::kNever);
  EXPECT_EQ(*ParseOcrMode("auto"), OcrMode::kAuto);
  EXPECT_FALSE(ParseOcrMode("sometimes").ok());
}

}  // namespace
}  // namespace docpipe
