// The playground page: everything lives in <gs-app>.
import './gs-app/gs-app.ts';
