export * from './visibility-sql.js';
