"""What winning entries become: incubation projects with sponsor and budget."""
