// Which stored documents readers see, in both backends' SQL: converted without
// error and complete (a streamed document's pieces stay invisible until its
// last one is stored). A string literal, so statements stay compile-time text.
#pragma once

#define DOCPIPE_VISIBLE_DOCUMENT "status = 'ok' AND state = 'complete'"
