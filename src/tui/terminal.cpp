#include "tui/terminal.h"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstring>
#include <stdexcept>

namespace parley::tui {

namespace {

// Colour slots (Span::colour) map to pairs 1..kColourSlots: six colours, then the same bold;
// kHighlightColour is pair kColourSlots + 1, drawn reversed.
constexpr short kColours[] = {COLOR_RED, COLOR_GREEN, COLOR_YELLOW, COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN};

// Alt-Left/Right arrive as extended keys named kLFT3/kRIT3 by terminfo (xterm, tmux).
Key extended_key(wint_t ch) {
  const char* name = keyname(static_cast<int>(ch));
  if (name == nullptr) return Key::of(Key::Code::kResize);
  if (std::strcmp(name, "kLFT3") == 0) return Key::of(Key::Code::kAltLeft);
  if (std::strcmp(name, "kRIT3") == 0) return Key::of(Key::Code::kAltRight);
  return Key::of(Key::Code::kResize);  // unknown: a harmless redraw
}

}  // namespace

Terminal::Terminal() {
  if (::isatty(0) == 0 || ::isatty(1) == 0)
    throw std::runtime_error("the terminal UI needs a terminal (try --headless)");
  std::setlocale(LC_ALL, "");
  if (initscr() == nullptr) throw std::runtime_error("cannot initialise the terminal");
  raw();  // Ctrl-C/Ctrl-Z reach the editor as keys; :quit leaves
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  if (has_colors()) {
    start_color();
    use_default_colors();
    for (int i = 0; i < kColourSlots; ++i) init_pair(static_cast<short>(i + 1), kColours[i % 6], -1);
    init_pair(kHighlightColour + 1, COLOR_RED, -1);
  }
}

Terminal::~Terminal() { endwin(); }

std::vector<Key> Terminal::read_keys() {
  std::vector<Key> keys;
  for (;;) {
    wint_t ch = 0;
    const int kind = wget_wch(stdscr, &ch);
    if (kind == ERR) break;
    if (kind != KEY_CODE_YES && ch == 27) {
      escape_pending_ = true;
      continue;
    }
    if (escape_pending_) {
      escape_pending_ = false;
      if (kind != KEY_CODE_YES && ch >= 0x20 && ch != 127) {
        keys.push_back(Key::alt(static_cast<char32_t>(ch)));
        continue;
      }
    }
    if (kind == KEY_CODE_YES) {
      switch (ch) {
        case KEY_ENTER: keys.push_back(Key::of(Key::Code::kEnter)); break;
        case KEY_BACKSPACE: keys.push_back(Key::of(Key::Code::kBackspace)); break;
        case KEY_DC: keys.push_back(Key::of(Key::Code::kDelete)); break;
        case KEY_LEFT: keys.push_back(Key::of(Key::Code::kLeft)); break;
        case KEY_RIGHT: keys.push_back(Key::of(Key::Code::kRight)); break;
        case KEY_UP: keys.push_back(Key::of(Key::Code::kUp)); break;
        case KEY_DOWN: keys.push_back(Key::of(Key::Code::kDown)); break;
        case KEY_HOME: keys.push_back(Key::of(Key::Code::kHome)); break;
        case KEY_END: keys.push_back(Key::of(Key::Code::kEnd)); break;
        case KEY_PPAGE: keys.push_back(Key::of(Key::Code::kPageUp)); break;
        case KEY_NPAGE: keys.push_back(Key::of(Key::Code::kPageDown)); break;
        case KEY_RESIZE: keys.push_back(Key::of(Key::Code::kResize)); break;
        default:
          if (ch >= KEY_MAX) keys.push_back(extended_key(ch));
          break;
      }
      continue;
    }
    if (ch == '\r' || ch == '\n') {
      keys.push_back(Key::of(Key::Code::kEnter));
    } else if (ch == '\t') {
      keys.push_back(Key::of(Key::Code::kTab));
    } else if (ch == 127 || ch == 8) {
      keys.push_back(Key::of(Key::Code::kBackspace));
    } else if (ch >= 1 && ch <= 26) {
      keys.push_back(Key::ctrl(static_cast<char>('a' + ch - 1)));
    } else if (ch >= 0x20) {
      keys.push_back(Key::chr(static_cast<char32_t>(ch)));
    }
  }
  return keys;
}

void Terminal::resize() {
  winsize size{};
  if (::ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0) {
    resizeterm(size.ws_row, size.ws_col);
  }
}

int Terminal::cols() const { return COLS; }
int Terminal::rows() const { return LINES; }

void Terminal::draw(const UiModel::Frame& frame) {
  erase();
  const int top = frame.topic.empty() ? 0 : 1;
  if (top == 1) {
    attron(A_REVERSE);
    mvaddstr(0, 0, frame.topic.c_str());
    for (int col = getcurx(stdscr); col < COLS && col > 0; ++col) addch(' ');
    attroff(A_REVERSE);
  }
  for (std::size_t row = 0; row < frame.pane.size(); ++row) {
    const std::string& text = frame.pane[row];
    const Span span = row < frame.pane_spans.size() ? frame.pane_spans[row] : Span{};
    const int y = top + static_cast<int>(row);
    if (span.colour < 0 || !has_colors()) {
      mvaddstr(y, 0, text.c_str());
      continue;
    }
    const int slot = std::min(span.colour, kHighlightColour);
    const attr_t attrs = COLOR_PAIR(slot + 1) | (slot == kHighlightColour ? A_REVERSE | A_BOLD
                                                 : slot >= 6              ? A_BOLD
                                                                          : A_NORMAL);
    mvaddnstr(y, 0, text.data(), static_cast<int>(span.begin));
    attron(attrs);
    addnstr(text.data() + span.begin, static_cast<int>(span.end - span.begin));
    attroff(attrs);
    addstr(text.c_str() + span.end);
  }
  if (frame.nicklist_col > 0) {
    for (std::size_t row = 0; row < frame.nicklist.size(); ++row)
      mvaddstr(top + static_cast<int>(row), frame.nicklist_col, frame.nicklist[row].c_str());
  }
  if (LINES >= 3) {
    mvaddstr(LINES - 3, 0, frame.separator.c_str());
    attron(A_REVERSE);
    mvaddstr(LINES - 2, 0, frame.status.c_str());
    for (int col = getcurx(stdscr); col < COLS && col > 0; ++col) addch(' ');
    attroff(A_REVERSE);
  }
  mvaddstr(LINES - 1, 0, frame.prompt.c_str());
  addstr(frame.input.text.c_str());
  move(frame.cursor_row, frame.cursor_col);
  refresh();
}

}  // namespace parley::tui
