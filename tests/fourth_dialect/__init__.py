"""A fourth dialect, defined inside the tests, to prove that a dialect is one folder plus one registration line."""
