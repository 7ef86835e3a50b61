export const environment = { tag: 'prod' }
