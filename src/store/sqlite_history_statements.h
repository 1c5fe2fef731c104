// The prepared statements of SqliteStore's history, read-marker and channel calls (made once by
// prepare_history() in sqlite_store_history.cpp, finalized with the store). Internal to store/.
#pragma once

#include <sqlite3.h>

#include "store/sqlite_store.h"

namespace parley::store {

struct SqliteStore::HistoryStatements {
  // History blocks (store/history_block.h).
  sqlite3_stmt* next_block_id = nullptr;
  sqlite3_stmt* insert_block = nullptr;
  sqlite3_stmt* update_block = nullptr;
  sqlite3_stmt* delete_block = nullptr;
  sqlite3_stmt* insert_msgid = nullptr;
  sqlite3_stmt* delete_msgid = nullptr;
  sqlite3_stmt* insert_conversation = nullptr;
  sqlite3_stmt* find_msgid = nullptr;
  sqlite3_stmt* blocks_newest = nullptr;
  sqlite3_stmt* blocks_oldest = nullptr;
  sqlite3_stmt* blocks_of_target = nullptr;
  sqlite3_stmt* blocks_after = nullptr;
  sqlite3_stmt* blocks_after_newest = nullptr;
  sqlite3_stmt* unindexed_count = nullptr;
  sqlite3_stmt* indexed_upto = nullptr;
  sqlite3_stmt* set_indexed_upto = nullptr;
  sqlite3_stmt* block_by_id = nullptr;
  sqlite3_stmt* sender_blocks = nullptr;
  // SEARCH's index (store/search_index.h).
  sqlite3_stmt* insert_segment = nullptr;
  sqlite3_stmt* insert_chunk = nullptr;
  sqlite3_stmt* find_chunk = nullptr;
  sqlite3_stmt* segments_newest = nullptr;
  sqlite3_stmt* segments_of_level = nullptr;
  sqlite3_stmt* delete_segment_chunks = nullptr;
  sqlite3_stmt* delete_segment = nullptr;
  sqlite3_stmt* block_ids_between = nullptr;
  sqlite3_stmt* conversations_of = nullptr;
  sqlite3_stmt* next_target = nullptr;
  sqlite3_stmt* delete_target_conversations = nullptr;
  // Read markers and registered channels (sqlite_store_channels.cpp).
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
    for (sqlite3_stmt* s : {next_block_id,
                            insert_block,
                            update_block,
                            delete_block,
                            insert_msgid,
                            delete_msgid,
                            insert_conversation,
                            find_msgid,
                            blocks_newest,
                            blocks_oldest,
                            blocks_of_target,
                            blocks_after,
                            blocks_after_newest,
                            unindexed_count,
                            indexed_upto,
                            set_indexed_upto,
                            block_by_id,
                            sender_blocks,
                            insert_segment,
                            insert_chunk,
                            find_chunk,
                            segments_newest,
                            segments_of_level,
                            delete_segment_chunks,
                            delete_segment,
                            block_ids_between,
                            conversations_of,
                            next_target,
                            delete_target_conversations,
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
