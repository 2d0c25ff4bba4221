"""One spider per source kind; the source (from configuration) is a spider argument."""
