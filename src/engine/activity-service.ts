// Kept so existing imports of './activity-service.js' keep working; the code lives in
// activity-service/. New code imports the folder's door, './activity-service/index.js'.
export * from './activity-service/index.js';
