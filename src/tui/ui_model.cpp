#include "tui/ui_model.h"

#include <algorithm>

#include "tui/utf8.h"

namespace parley::tui {

namespace {
const std::string kRule = "\u2500";  // ─
}

UiModel::UiModel(std::string first_window) {
  windows_.push_back({std::move(first_window), Scrollback{}, false});
}

std::size_t UiModel::add_window(std::string name) {
  windows_.push_back({std::move(name), Scrollback{}, false});
  return windows_.size() - 1;
}

void UiModel::select(std::size_t index) {
  if (index >= windows_.size()) return;
  active_ = index;
  windows_[index].activity = false;
}

void UiModel::add_line(std::size_t window, std::string_view text) {
  if (window >= windows_.size()) return;
  windows_[window].lines.add(text);
  if (window != active_) windows_[window].activity = true;
}

std::optional<std::string> UiModel::handle(const Key& key, int cols, int rows) {
  Scrollback& pane = windows_[active_].lines;
  const int height = pane_height(rows);
  switch (key.code) {
    case Key::Code::kPageUp: pane.page_up(cols, height); return std::nullopt;
    case Key::Code::kPageDown: pane.page_down(cols, height); return std::nullopt;
    case Key::Code::kResize: return std::nullopt;
    case Key::Code::kCtrl:
      if (key.ch == 'x') {
        select((active_ + 1) % windows_.size());
        return std::nullopt;
      }
      break;
    default: break;
  }
  if (input_.handle(key) == LineEditor::Result::kSubmit) return input_.take_line();
  return std::nullopt;
}

UiModel::Frame UiModel::frame(int cols, int rows) const {
  Frame f;
  cols = std::max(cols, 1);
  const Window& w = windows_[active_];
  f.pane = w.lines.rows(cols, pane_height(rows));
  for (auto& row : f.pane) row = std::string(fit(row, cols));

  std::string sep = kRule + kRule + " ";
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (i > 0) sep += " " + kRule + " ";
    sep += (i == active_ ? "[" : "") + std::to_string(i + 1) + ":" + windows_[i].name +
           (windows_[i].activity ? "*" : "") + (i == active_ ? "]" : "");
  }
  sep += " ";
  sep = std::string(fit(sep, cols));
  for (int width = text_width(sep); width < cols; ++width) sep += kRule;
  f.separator = sep;

  std::string status = status_;
  if (!w.lines.at_bottom()) {
    status += "  -- more";
    if (w.lines.unseen() > 0) status += " (" + std::to_string(w.lines.unseen()) + " new)";
    status += " --";
  }
  f.status = std::string(fit(status, cols));

  f.prompt = std::string(fit(prompt_, std::max(cols - 1, 0)));
  const int prompt_width = text_width(f.prompt);
  f.input = input_.view(std::max(cols - prompt_width, 1));
  f.cursor_row = std::max(rows - 1, 0);
  f.cursor_col = std::min(prompt_width + f.input.cursor_column, cols - 1);
  return f;
}

}  // namespace parley::tui
