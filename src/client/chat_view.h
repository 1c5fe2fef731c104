// Mirrors a ChatClient into a tui::UiModel, without a terminal: one UI window per buffer (same
// order), each event as a timestamped line with the speaker's nick coloured, the status line
// (nick, window, modes, activity list, connection state), the topic line and the nick list.
// Keys go through the model; window switches and submitted lines go back to the client.
//
// Lifetime: the client and the model outlive the view. Thread: one thread.
#pragma once

#include <string>
#include <vector>

#include "client/chat_client.h"
#include "tui/key.h"
#include "tui/ui_model.h"

namespace parley::client {

// "12:34 <alice> hi" with the span covering "alice": in the nick's colour, or the highlight
// colour when the line mentions us.
struct StyledLine {
  std::string text;
  tui::Span span;
};
StyledLine styled_line(const Event& event, proto::Casemapping cm);

class ChatView {
 public:
  ChatView(ChatClient& client, tui::UiModel& model);

  // Applies the client's pending events to the model and refreshes the status.
  void update();
  // A key press on a cols x rows screen; typed lines go to the client. Ctrl-C quits (a second
  // one without waiting for queued lines). PgUp that reaches the top of the window asks the
  // client for older lines (ChatClient::load_older), shown above the others when they come.
  void key(const tui::Key& key, int cols, int rows, Clock::time_point now);

  // The activity list: "2,4!" (window numbers with unread messages; ! marks highlights).
  std::string activity() const;

 private:
  std::size_t index_of(BufferId id) const;
  void refresh();

  ChatClient& client_;
  tui::UiModel& model_;
  std::vector<BufferId> ids_;  // ids_[i] is shown in model window i
};

}  // namespace parley::client
