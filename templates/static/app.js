// Progressive enhancement only: every page works without these scripts.
// The entry module the pages load; the others are imported from here. Each part enhances what it finds on the page
// and skips what is absent. Importing viewer-zone.js settles the viewer's zone (and its cookie) before any part runs.
import { enhanceScheduleForm } from './schedule-form.js';
import { confirmCancel, countMessage, focusErrorSummary } from './form-helpers.js';
import { startLiveList } from './live-list.js';

enhanceScheduleForm();
countMessage();
focusErrorSummary();
confirmCancel();
startLiveList();
