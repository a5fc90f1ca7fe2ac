// Kept so existing imports of './remote-activities.js' keep working; the code lives in
// remote-activities/. New code imports the folder's door, './remote-activities/index.js'.
export * from './remote-activities/index.js';
