// Opening a test's store: a failure fails the test and gives nullptr.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "docpipe/store.h"

namespace docpipe::testing {

inline std::unique_ptr<Store> OpenStore(const std::string& db) {
  Result<std::unique_ptr<Store>> store = Store::Open(db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace docpipe::testing
