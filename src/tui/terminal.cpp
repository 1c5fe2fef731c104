#include "tui/terminal.h"

#include <curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <clocale>
#include <stdexcept>

namespace parley::tui {

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
  }
}

Terminal::~Terminal() { endwin(); }

std::vector<Key> Terminal::read_keys() {
  std::vector<Key> keys;
  for (;;) {
    wint_t ch = 0;
    const int kind = wget_wch(stdscr, &ch);
    if (kind == ERR) break;
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
        default: break;
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
  for (std::size_t row = 0; row < frame.pane.size(); ++row) {
    mvaddstr(static_cast<int>(row), 0, frame.pane[row].c_str());
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
