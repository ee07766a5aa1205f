rate --files-from /nonexistent/list.txt
