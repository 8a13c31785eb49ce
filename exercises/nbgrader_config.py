# nbgrader configuration for the book's assignments: run nbgrader from this folder (exercises/), which is
# the course root; source/ holds the instructor versions, release/ the student versions.
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "gradient-descent-book"
