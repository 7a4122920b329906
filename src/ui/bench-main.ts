// The benchmark page: everything lives in <gs-bench>.
import './gs-bench/gs-bench.ts';
