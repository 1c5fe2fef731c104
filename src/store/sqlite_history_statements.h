// The prepared statements of SqliteStore's history, read-marker and channel calls (made once by
// prepare_history() in sqlite_store_history.cpp, finalized with the store). Internal to store/.
#pragma once

#include <sqlite3.h>

#include "store/sqlite_store.h"

namespace parley::store {

struct SqliteStore::HistoryStatements {
  sqlite3_stmt* insert_entry = nullptr;
  sqlite3_stmt* insert_conversation = nullptr;
  sqlite3_stmt* last_id = nullptr;
  sqlite3_stmt* index_text = nullptr;
  sqlite3_stmt* find_msgid = nullptr;
  sqlite3_stmt* range_oldest = nullptr;
  sqlite3_stmt* range_newest = nullptr;
  sqlite3_stmt* latest_between = nullptr;
  sqlite3_stmt* conversations_of = nullptr;
  sqlite3_stmt* clear_search_targets = nullptr;
  sqlite3_stmt* add_search_target = nullptr;
  sqlite3_stmt* search_text = nullptr;
  sqlite3_stmt* search_plain = nullptr;
  sqlite3_stmt* search_sender = nullptr;
  sqlite3_stmt* next_target = nullptr;
  sqlite3_stmt* nth_newest = nullptr;
  sqlite3_stmt* delete_oldest = nullptr;
  sqlite3_stmt* delete_target = nullptr;
  sqlite3_stmt* delete_target_conversations = nullptr;
  sqlite3_stmt* delete_entry = nullptr;
  sqlite3_stmt* get_marker = nullptr;
  sqlite3_stmt* set_marker = nullptr;
  sqlite3_stmt* delete_channel = nullptr;
  sqlite3_stmt* insert_channel = nullptr;
  sqlite3_stmt* insert_ban = nullptr;
  sqlite3_stmt* insert_access = nullptr;
  sqlite3_stmt* all_channels = nullptr;
  sqlite3_stmt* all_bans = nullptr;
  sqlite3_stmt* all_access = nullptr;

  ~HistoryStatements() {
    for (sqlite3_stmt* s : {insert_entry,
                            insert_conversation,
                            last_id,
                            index_text,
                            find_msgid,
                            range_oldest,
                            range_newest,
                            latest_between,
                            conversations_of,
                            clear_search_targets,
                            add_search_target,
                            search_text,
                            search_plain,
                            search_sender,
                            next_target,
                            nth_newest,
                            delete_oldest,
                            delete_target,
                            delete_target_conversations,
                            delete_entry,
                            get_marker,
                            set_marker,
                            delete_channel,
                            insert_channel,
                            insert_ban,
                            insert_access,
                            all_channels,
                            all_bans,
                            all_access})
      sqlite3_finalize(s);
  }
};

}  // namespace parley::store
