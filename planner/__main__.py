from planner.entry import console

console()
