# Third-party libraries, all from Debian 12 packages (scripts/packages/*.txt).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)

pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)

# Debian's MuPDF is static only: link its third-party bundle and -dev siblings explicitly.
pkg_check_modules(MUPDF_DEPS REQUIRED IMPORTED_TARGET
  freetype2 harfbuzz libopenjp2 jbig2dec libjpeg mujs gumbo libbrotlidec zlib)
add_library(docpipe_mupdf INTERFACE)
target_link_libraries(docpipe_mupdf INTERFACE
  /usr/lib/libmupdf.a /usr/lib/libmupdf-third.a PkgConfig::MUPDF_DEPS m Threads::Threads)
