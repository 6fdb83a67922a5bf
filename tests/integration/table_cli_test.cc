// Tables through the real executable: `convert` finds a ruled table and
// `--no-tables` keeps its text in the paragraphs; `ingest` marks the chunk
// holding the table, and `search` (plain and --json) shows it and which table it is.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace docpipe::testing {
namespace {

std::string Num(float v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", v);
  return buffer;
}

// A one-page PDF (Helvetica) with a paragraph and a caption above a ruled 4 x 3 table.
std::string TablePdf() {
  const std::vector<std::vector<std::string>> rows = {
      {"Device", "Reads", "Writes"}, {"alpha", "120", "80"}, {"beta", "95", "61"}, {"gamma", "77", "40"}};
  const float x0 = 72, top = 600, row = 20, col = 100;
  std::string content = "BT /F1 10 Tf 72 700 Td (Measurements of three devices follow in the table.) Tj ET\n"
                        "BT /F1 10 Tf 72 614 Td (Table 1: Reads and writes of three devices.) Tj ET\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      content += "BT /F1 10 Tf " + Num(x0 + 4 + col * static_cast<float>(c)) + " " +
                 Num(top - row * static_cast<float>(r) - 14) + " Td (" + rows[r][c] + ") Tj ET\n";
    }
  }
  const float bottom = top - row * static_cast<float>(rows.size());
  for (size_t r = 0; r <= rows.size(); ++r) {
    const float y = top - row * static_cast<float>(r);
    content += "0.5 w " + Num(x0) + " " + Num(y) + " m " + Num(x0 + 3 * col) + " " + Num(y) + " l S\n";
  }
  for (int c = 0; c <= 3; ++c) {
    const float x = x0 + col * static_cast<float>(c);
    content += "0.5 w " + Num(x) + " " + Num(top) + " m " + Num(x) + " " + Num(bottom) + " l S\n";
  }
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
      "/Contents 5 0 R >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream"};
  std::string pdf = "%PDF-1.7\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

int TableBlocks(const nlohmann::json& document) {
  int tables = 0;
  for (const auto& page : document["pages"]) {
    for (const auto& block : page["blocks"]) tables += block["type"] == "table";
  }
  return tables;
}

TEST(TableCliTest, ConvertFindsTheTableAndNoTablesKeepsItsTextInTheParagraphs) {
  ScratchDir dir;
  WriteFile(dir / "table.pdf", TablePdf());
  CliResult with = RunDocpipe({"convert", dir / "table.pdf", "--to", "json"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(TableBlocks(nlohmann::json::parse(with.out)), 1);
  CliResult markdown = RunDocpipe({"convert", dir / "table.pdf", "--to", "md"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("| gamma | 77 | 40 |"), std::string::npos) << markdown.out;

  CliResult without = RunDocpipe({"convert", dir / "table.pdf", "--to", "json", "--no-tables"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(TableBlocks(nlohmann::json::parse(without.out)), 0);
  CliResult text = RunDocpipe({"convert", dir / "table.pdf", "--to", "md", "--no-tables"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("| gamma"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gamma"), std::string::npos) << text.out;
}

TEST(TableCliTest, IngestMarksTheTableChunkAndSearchShowsIt) {
  ScratchDir dir;
  WriteFile(dir / "table.pdf", TablePdf());
  for (const bool tables : {true, false}) {
    const std::string db = dir / (tables ? "with.sqlite" : "without.sqlite");
    std::vector<std::string> ingest = {"ingest", dir / "table.pdf", "--db", db, "--json"};
    if (!tables) ingest.push_back("--no-tables");
    CliResult run = RunDocpipe(ingest);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    CliResult search = RunDocpipe({"search", "gamma", "--db", db, "--json"});
    ASSERT_EQ(search.exit_code, 0) << search.err;
    const nlohmann::json hits = nlohmann::json::parse(search.out);
    ASSERT_EQ(hits.size(), 1u) << search.out;
    EXPECT_EQ(hits[0]["has_table"], tables) << search.out;
    EXPECT_EQ(hits[0]["text"].get<std::string>().find("| gamma | 77 | 40 |") != std::string::npos, tables);
    if (!tables) {
      EXPECT_FALSE(hits[0].contains("tables")) << search.out;
      continue;
    }
    EXPECT_EQ(hits[0]["tables"], nlohmann::json::parse(R"([{"page": 1, "index": 1,
        "caption": "Table 1: Reads and writes of three devices."}])")) << search.out;
    CliResult plain = RunDocpipe({"search", "gamma", "--db", db});
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_NE(plain.out.find("   table 1 on p. 1: Table 1: Reads and writes of three devices.\n"), std::string::npos)
        << plain.out;
  }
}

TEST(TableCliTest, SearchFilterTableKeepsOrDropsTheTableChunk) {
  ScratchDir dir;
  WriteFile(dir / "table.pdf", TablePdf());
  WriteFile(dir / "notes.md", "# Notes\n\nThe gamma device reads slowly, as noted in the measurements.\n");
  const std::string db = dir / "kb.sqlite";
  CliResult run = RunDocpipe({"ingest", dir / "table.pdf", dir / "notes.md", "--db", db});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto hits_for = [&](const std::vector<std::string>& filters) {
    std::vector<std::string> args = {"search", "gamma", "--db", db, "--json"};
    for (const std::string& filter : filters) {
      args.push_back("--filter");
      args.push_back(filter);
    }
    CliResult search = RunDocpipe(args);
    EXPECT_EQ(search.exit_code, 0) << search.err;
    return search.exit_code == 0 ? nlohmann::json::parse(search.out) : nlohmann::json::array();
  };
  EXPECT_EQ(hits_for({}).size(), 2u);
  const nlohmann::json tables = hits_for({"table=yes"});
  ASSERT_EQ(tables.size(), 1u) << tables.dump();
  EXPECT_EQ(tables[0]["has_table"], true);
  EXPECT_NE(tables[0]["path"].get<std::string>().find("table.pdf"), std::string::npos);
  const nlohmann::json prose = hits_for({"table=no"});
  ASSERT_EQ(prose.size(), 1u) << prose.dump();
  EXPECT_EQ(prose[0]["has_table"], false);
  EXPECT_NE(prose[0]["path"].get<std::string>().find("notes.md"), std::string::npos);
  EXPECT_TRUE(hits_for({"table=yes", "path=*notes.md"}).empty());

  CliResult wrong = RunDocpipe({"search", "gamma", "--db", db, "--filter", "table=maybe"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("expected table=yes or table=no"), std::string::npos) << wrong.err;
}

}  // namespace
}  // namespace docpipe::testing
