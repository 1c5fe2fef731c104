// Field-by-field comparison of AccountRecords for tests (AccountRecord has no operator==: it holds
// secrets, crypto::ScramCredentials, which nothing compares). Says which field differs.
#pragma once

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "store/store.h"

namespace parley::testing {

inline ::testing::AssertionResult same_record(const store::AccountRecord& got,
                                              const store::AccountRecord& want) {
  auto differs = [](const char* field) {
    return ::testing::AssertionFailure() << "field " << field << " differs";
  };
  if (got.name != want.name) return differs("name") << ": " << got.name << " vs " << want.name;
  if (got.name_folded != want.name_folded) return differs("name_folded");
  if (got.password_hash != want.password_hash) return differs("password_hash");
  if (got.scram.salt != want.scram.salt) return differs("scram.salt");
  if (got.scram.iterations != want.scram.iterations) return differs("scram.iterations");
  if (got.scram.stored_key != want.scram.stored_key) return differs("scram.stored_key");
  if (got.scram.server_key != want.scram.server_key) return differs("scram.server_key");
  if (got.email != want.email) return differs("email") << ": " << got.email << " vs " << want.email;
  if (got.verified != want.verified) return differs("verified");
  if (got.enforce != want.enforce) return differs("enforce");
  if (got.certfps != want.certfps) return differs("certfps");
  if (got.registered_at != want.registered_at) return differs("registered_at");
  return ::testing::AssertionSuccess();
}

}  // namespace parley::testing
