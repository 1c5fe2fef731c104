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

void UiModel::remove_window(std::size_t index) {
  if (index >= windows_.size() || windows_.size() == 1) return;
  windows_.erase(windows_.begin() + static_cast<std::ptrdiff_t>(index));
  if (active_ > index || active_ == windows_.size()) --active_;
}

void UiModel::rename_window(std::size_t index, std::string name) {
  if (index < windows_.size()) windows_[index].name = std::move(name);
}

void UiModel::clear_window(std::size_t index) {
  if (index < windows_.size()) windows_[index].lines.clear();
}

int UiModel::pane_height(int rows) const {
  const int reserved = topic_.empty() ? 3 : 4;
  return rows > reserved ? rows - reserved : 0;
}

int UiModel::pane_width(int cols) const {
  if (nicklist_.empty() || cols < kNickListMinCols) return std::max(cols, 1);
  return cols - kNickListWidth - 1;
}

bool UiModel::window_key(const Key& key) {
  const std::size_t n = windows_.size();
  switch (key.code) {
    case Key::Code::kAlt:
      if (key.ch >= '0' && key.ch <= '9') {
        select(key.ch == '0' ? 9 : static_cast<std::size_t>(key.ch - '1'));
        return true;
      }
      return false;
    case Key::Code::kAltLeft: select((active_ + n - 1) % n); return true;
    case Key::Code::kAltRight: select((active_ + 1) % n); return true;
    case Key::Code::kCtrl:
      if (key.ch == 'p') select((active_ + n - 1) % n);
      if (key.ch == 'n') select((active_ + 1) % n);
      return key.ch == 'p' || key.ch == 'n';
    default: return false;
  }
}

void UiModel::select(std::size_t index) {
  if (index >= windows_.size()) return;
  active_ = index;
  windows_[index].activity = false;
}

void UiModel::add_line(std::size_t window, std::string_view text, Span span, bool activity) {
  if (window >= windows_.size()) return;
  windows_[window].lines.add(text, span);
  if (window != active_ && activity) windows_[window].activity = true;
}

void UiModel::prepend_line(std::size_t window, std::string_view text, Span span) {
  if (window < windows_.size()) windows_[window].lines.prepend(text, span);
}

bool UiModel::at_top(int cols, int rows) const {
  return windows_[active_].lines.at_top(pane_width(cols), pane_height(rows));
}

std::optional<std::string> UiModel::handle(const Key& key, int cols, int rows) {
  if (window_keys_ && window_key(key)) return std::nullopt;
  Scrollback& pane = windows_[active_].lines;
  const int height = pane_height(rows);
  const int width = pane_width(cols);
  switch (key.code) {
    case Key::Code::kPageUp: pane.page_up(width, height); return std::nullopt;
    case Key::Code::kPageDown: pane.page_down(width, height); return std::nullopt;
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
  const int width = pane_width(cols);
  const int height = pane_height(rows);
  if (!topic_.empty()) f.topic = std::string(fit(sanitize(topic_), cols));
  for (Row& row : w.lines.styled_rows(width, height)) {
    f.pane.emplace_back(fit(row.text, width));
    Span span = row.span;
    span.end = std::min(span.end, f.pane.back().size());
    if (span.begin >= span.end) span = {};
    f.pane_spans.push_back(span);
  }
  if (width < cols) {
    f.nicklist_col = width + 1;
    for (std::size_t i = 0; i < nicklist_.size() && i < static_cast<std::size_t>(height); ++i)
      f.nicklist.emplace_back(fit(sanitize(nicklist_[i]), kNickListWidth));
  }

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
